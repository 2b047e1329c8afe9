// Runs every test/bench/*.bench.js in turn (npm run bench). BENCH_FILTER=parse runs only the
// benches whose file name contains it. Exits non-zero when any bench fails.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const filter = process.env.BENCH_FILTER ?? '';
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.js') && f.includes(filter))
  .sort();
let failed = 0;
for (const bench of benches) {
  console.log(`\n=== ${bench}`);
  const result = spawnSync(process.execPath, [`${dir}${bench}`], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed++;
    console.log(`=== ${bench} failed (exit ${result.status ?? result.signal})`);
  }
}
process.exit(failed === 0 ? 0 : 1);
