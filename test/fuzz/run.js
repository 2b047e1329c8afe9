// `npm run fuzz`: the fuzz targets of test/fuzz for FUZZ_SECONDS (default 300) with a fresh seed.
// Replay a failure with FUZZ_SEED=<seed printed by fast-check> npm run fuzz.
import { spawn } from 'node:child_process';

const seconds = process.env.FUZZ_SECONDS ?? '300';
const seed = process.env.FUZZ_SEED ?? String(Math.floor(Math.random() * 2 ** 31));
process.stdout.write(`fuzzing for ${seconds} s with FUZZ_SEED=${seed}\n`);
const child = spawn('npx', ['vitest', 'run', 'test/fuzz'], {
  stdio: 'inherit',
  env: { TZ: 'UTC', ...process.env, FUZZ_SECONDS: seconds, FUZZ_SEED: seed },
});
child.on('exit', (code, signal) => {
  if (code !== 0) process.stdout.write(`fuzz failed; replay with FUZZ_SEED=${seed}\n`);
  process.exit(code ?? (signal ? 1 : 0));
});
