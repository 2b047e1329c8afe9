// Shared by ingest.bench.js and query.bench.js: a scratch database and the built API on it.
/* global fetch */
import { spawn } from 'node:child_process';
import { clearInterval, setInterval, setTimeout } from 'node:timers';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

// BENCH_API_MAIN runs another build (e.g. of an older commit, compiled elsewhere) against the same bench.
const MAIN =
  process.env.BENCH_API_MAIN ?? fileURLToPath(new URL('../../apps/api/dist/main.js', import.meta.url));

export const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A new empty database on the bench server; `drop()` removes it. */
export async function createBenchDatabase(prefix) {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: SERVER_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/**
 * Starts `node apps/api/dist/main.js` (or BENCH_API_MAIN) on `databaseUrl` and waits until /readyz answers 200.
 * BENCH_API_NODE_ARGS (space-separated) are passed to that node, e.g. `--cpu-prof`; with
 * BENCH_API_STDOUT=1 its standard output (where `--trace-gc` writes) is shown too.
 */
export async function startApi(databaseUrl) {
  const port = await freePort();
  const adminToken = `bench-${randomBytes(16).toString('hex')}`;
  const nodeArgs = (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, MAIN], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      SANDTRAP_ADMIN_TOKEN: adminToken,
      SANDTRAP_LOG_LEVEL: 'warn',
      SANDTRAP_LOCAL_AGENT: 'off',
      TZ: 'UTC',
    },
    stdio: ['ignore', process.env.BENCH_API_STDOUT ? 'inherit' : 'ignore', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode}`);
    try {
      const r = await fetch(`${baseUrl}/readyz`);
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the API did not become ready in 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  let peakRss = 0;
  const rss = () => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  };
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rss())), 100);
  return {
    baseUrl,
    adminToken,
    pid: child.pid,
    peakRss: () => peakRss,
    resetPeakRss: () => (peakRss = rss()),
    async stop() {
      clearInterval(sampler);
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    },
  };
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
