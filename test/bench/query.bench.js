// Queries over BENCH_ROWS (default 10,000,000) stored violations, loaded straight into Postgres
// with generate_series: p50/p95 of a filtered page of /v1/violations (first and next page), of
// stats and of timeseries over the last 24 hours, through the built API over HTTP.
// BENCH_KEEP_DB=1 keeps the loaded database and prints its URL; BENCH_DB_URL=<that URL> measures
// on it again without loading (the API migrates it first, as at any start).
/* global fetch */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createBenchDatabase, percentile, startApi } from './ingest-api-server.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const DAYS = 7;
const HOSTS = 50;
const CHUNK = 1_000_000;
const DAY_MS = 86_400_000;
const ROLLUP_PAIRS = [
  ['violation_actions_1m', 'violation_counts'],
  ['violation_actions_5m', 'violation_counts_5m'],
  ['violation_actions_1h', 'violation_counts_1h'],
];

async function load(pool) {
  const now = Date.now();
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  for (let d = -DAYS; d <= 1; d++) {
    const day = today + d * DAY_MS;
    const name = `violations_p${new Date(day).toISOString().slice(0, 10).replaceAll('-', '')}`;
    await pool.query(
      `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF violations FOR VALUES FROM ('${new Date(day).toISOString()}') TO ('${new Date(day + DAY_MS).toISOString()}')`,
    );
  }
  await pool.query(
    `INSERT INTO hosts (name) SELECT 'bench-' || g FROM generate_series(0, ${HOSTS - 1}) g ON CONFLICT DO NOTHING`,
  );
  // One event every (7 days / ROWS); each host runs one binary; syscall decides the action.
  const step = Math.floor((DAYS * DAY_MS * 1000) / ROWS);
  for (let lo = 0; lo < ROWS; lo += CHUNK) {
    const hi = Math.min(ROWS, lo + CHUNK) - 1;
    await pool.query(
      `WITH h AS (SELECT array_agg(id ORDER BY name) AS ids FROM hosts WHERE name LIKE 'bench-%')
       INSERT INTO violations (host_id, event_key, observed_at, source, kind, action, blocked, syscall_arch,
         syscall_nr, syscall_name, syscall_compat, pid, uid, comm, exe, container_id, raw)
       SELECT h.ids[g % ${HOSTS} + 1], 'q:' || g,
              to_timestamp(${now / 1000}) - (g::bigint * ${step}) * interval '1 microsecond',
              'kmsg', 'seccomp', (ARRAY['kill_process','errno','log','trap','errno','log'])[(g / ${HOSTS}) % 6 + 1],
              (g / ${HOSTS}) % 6 NOT IN (2, 5), 'x86_64',
              (ARRAY[101,165,272,59,321,250])[(g / ${HOSTS}) % 6 + 1],
              (ARRAY['ptrace','mount','unshare','execve','bpf','keyctl'])[(g / ${HOSTS}) % 6 + 1],
              false, 1000 + g % 5000, 1000, 'worker', '/usr/bin/app' || (g % ${HOSTS}) % 7,
              CASE WHEN g % 3 = 0 THEN 'ctr' || (g % ${HOSTS}) END,
              'audit: type=1326 audit(1764400000.000:' || g || '): auid=4294967295 uid=1000 gid=1000 ses=4294967295 pid=1000 comm="worker" exe="/usr/bin/app" sig=0 arch=c000003e syscall=101 compat=0 ip=0x7f2a code=0x50000'
       FROM generate_series(${lo}, ${hi}) g, h`,
    );
  }
  await pool.query(
    `INSERT INTO violation_counts (minute, host_id, action, syscall_name, exe, container_id, source, count)
     SELECT date_bin('1 minute', observed_at, timestamptz 'epoch'), host_id, action, coalesce(syscall_name, ''),
            coalesce(exe, ''), coalesce(container_id, ''), source, count(*)
     FROM violations GROUP BY 1, 2, 3, 4, 5, 6, 7`,
  );
  // The coarser rollup tiers, as ingest would have kept them.
  for (const [table, minutes] of [
    ['violation_counts_5m', 5],
    ['violation_counts_1h', 60],
  ]) {
    await pool.query(
      `INSERT INTO ${table} SELECT date_bin('${minutes} minutes', minute, timestamptz 'epoch'), host_id, action,
         syscall_name, exe, container_id, source, sum(count) FROM violation_counts GROUP BY 1, 2, 3, 4, 5, 6, 7`,
    );
  }
  // The narrow (host, action) tiers, likewise.
  for (const [narrow, wide] of ROLLUP_PAIRS) {
    await pool.query(
      `INSERT INTO ${narrow} (minute, host_id, action, count)
       SELECT minute, host_id, action, sum(count) FROM ${wide} GROUP BY 1, 2, 3`,
    );
  }
  for (const table of ['violations', ...ROLLUP_PAIRS.flat()]) {
    await pool.query(`VACUUM ANALYZE ${table}`);
  }
}

async function measure(api, label, urlFor) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const url = await urlFor(i);
    const t0 = performance.now();
    const r = await fetch(`${api.baseUrl}${url}`, { headers: { authorization: `Bearer ${api.adminToken}` } });
    const body = await r.json();
    times.push(performance.now() - t0);
    if (r.status !== 200) throw new Error(`${label}: ${r.status} ${JSON.stringify(body)}`);
  }
  times.sort((a, b) => a - b);
  return { p50: +percentile(times, 50).toFixed(2), p95: +percentile(times, 95).toFixed(2), runs: RUNS };
}

async function main() {
  const reuse = process.env.BENCH_DB_URL;
  const db = reuse
    ? { url: reuse, drop: async () => undefined }
    : await createBenchDatabase('sandtrap_bench_query');
  const api = await startApi(db.url);
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  try {
    const t0 = performance.now();
    if (!reuse) await load(pool);
    const loadSeconds = (performance.now() - t0) / 1000;
    const rows = Number((await pool.query('SELECT count(*) AS n FROM violations')).rows[0].n);
    const rollupRows = {};
    for (const table of ROLLUP_PAIRS.flat()) {
      rollupRows[table] = Number((await pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    }
    const day = () => {
      const to = new Date(Date.now() - 1234).toISOString();
      const from = new Date(Date.now() - 1234 - DAY_MS).toISOString();
      return `from=${from}&to=${to}`;
    };
    const actions = ['kill_process', 'errno', 'trap'];
    const cursors = [];
    const results = {
      loadSeconds: +loadSeconds.toFixed(1),
      rows,
      rollupRows,
      page: await measure(api, 'page', async (i) => {
        const url = `/v1/violations?host=bench-${i % HOSTS}&action=${actions[i % 3]}&limit=100`;
        return url;
      }),
      pageAll: await measure(api, 'pageAll', async () => `/v1/violations?limit=100`),
      pageNext: await measure(api, 'pageNext', async (i) => {
        if (cursors.length === 0) {
          const r = await fetch(`${api.baseUrl}/v1/violations?blocked=true&syscall=ptrace,mount&limit=100`, {
            headers: { authorization: `Bearer ${api.adminToken}` },
          });
          cursors.push((await r.json()).nextCursor);
        }
        return `/v1/violations?blocked=true&syscall=ptrace,mount&limit=100&cursor=${cursors[i % cursors.length]}`;
      }),
      stats: await measure(api, 'stats', async (i) => {
        const by = ['syscall', 'host', 'action', 'exe', 'container', 'source'][i % 6];
        return `/v1/violations/stats?groupBy=${by}&${day()}`;
      }),
      timeseries5m: await measure(
        api,
        'timeseries',
        async () => `/v1/violations/timeseries?interval=5m&${day()}`,
      ),
      timeseries1h: await measure(
        api,
        'timeseries',
        async () => `/v1/violations/timeseries?interval=1h&${day()}`,
      ),
      timeseries1mHost: await measure(
        api,
        'timeseries',
        async (i) => `/v1/violations/timeseries?interval=1m&host=bench-${i % HOSTS}&${day()}`,
      ),
      apiPeakRssMB: Math.round(api.peakRss() / 1048576),
    };
    console.log(JSON.stringify({ bench: 'query', ...results }, null, 2));
  } finally {
    await pool.end();
    await api.stop();
    if (process.env.BENCH_KEEP_DB) console.log(`kept ${db.url}`);
    else await db.drop();
  }
}

await main();
