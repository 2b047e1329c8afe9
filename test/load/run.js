// Load and soak: LOAD_AGENTS (default 200) simulated agents, each enrolled through the real API,
// send gzip NDJSON batches of LOAD_BATCH (default 50) events about once a second for LOAD_SECONDS
// (default 600), while LOAD_READERS (default 4) readers page /v1/violations and ask for stats and
// timeseries. Before the load, the same requests are timed on the idle service. Checks: stored
// count equals what was accepted (nothing lost or doubled), p99 of ingest and query within 5x the
// idle figures, RSS flat (second half vs first half of the run), no error but planned 429/503.
// Traffic goes only to the API this script starts on 127.0.0.1; every loop stops by itself.
/* global fetch */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import { createBenchDatabase, percentile, startApi } from '../bench/ingest-api-server.js';

const AGENTS = Number(process.env.LOAD_AGENTS ?? 200);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 600);
const BATCH = Number(process.env.LOAD_BATCH ?? 50);
const READERS = Number(process.env.LOAD_READERS ?? 4);
const IDLE_SAMPLES = 60;

/** The API's resident memory now, from /proc. */
function rssOf(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

const log = (msg) => process.stderr.write(`[load] ${msg}\n`);

function batchOf(agent, seq) {
  const now = Date.now();
  const lines = [];
  for (let i = 0; i < BATCH; i++) {
    lines.push(
      JSON.stringify({
        eventKey: `load:${agent.bootId}:${seq}:${i}`,
        observedAt: new Date(now - 1000 + i).toISOString(),
        host: agent.name,
        bootId: agent.bootId,
        source: 'kmsg',
        kind: 'seccomp',
        process: { pid: 1000 + (i % 200), comm: 'worker', exe: `/usr/bin/worker${i % 7}` },
        syscall: {
          arch: 'x86_64',
          nr: [101, 165, 63][i % 3],
          name: ['ptrace', 'mount', 'uname'][i % 3],
          compat: false,
        },
        action: i % 10 === 0 ? 'kill_process' : i % 2 ? 'errno' : 'log',
      }),
    );
  }
  return gzipSync(lines.join('\n') + '\n', { level: 1 });
}

async function timed(fn) {
  const t0 = performance.now();
  const r = await fn();
  return { ms: performance.now() - t0, r };
}

async function main() {
  const db = await createBenchDatabase('sandtrap_load');
  const api = await startApi(db.url);
  const admin = { authorization: `Bearer ${api.adminToken}` };
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  const status = new Map();
  const count = (code) => status.set(code, (status.get(code) ?? 0) + 1);
  let accepted = 0;
  try {
    log(`enrolling ${AGENTS} agents`);
    const agents = [];
    for (let i = 0; i < AGENTS; i++) {
      const r = await fetch(`${api.baseUrl}/v1/hosts/enroll`, {
        method: 'POST',
        headers: { ...admin, 'content-type': 'application/json' },
        body: JSON.stringify({ hostname: `load-${i}`, labels: { fleet: 'load' } }),
      });
      if (r.status !== 201) throw new Error(`enroll: ${r.status} ${await r.text()}`);
      const body = await r.json();
      agents.push({ name: `load-${i}`, token: body.token, bootId: `boot${i}`, seq: 0 });
    }
    const viewer = await (
      await fetch(`${api.baseUrl}/v1/tokens`, {
        method: 'POST',
        headers: { ...admin, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'load-reader', role: 'viewer' }),
      })
    ).json();
    const readHeaders = { authorization: `Bearer ${viewer.token}` };
    const queries = () => {
      const from = new Date(Date.now() - 3_600_000).toISOString();
      return [
        `/v1/violations?limit=100&action=kill_process`,
        `/v1/violations/stats?groupBy=syscall&from=${from}`,
        `/v1/violations/timeseries?interval=1m&from=${from}`,
      ];
    };

    const send = async (agent) => {
      for (let attempt = 0; ; attempt++) {
        const body = batchOf(agent, agent.seq);
        const { ms, r } = await timed(() =>
          fetch(`${api.baseUrl}/v1/ingest/events`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${agent.token}`,
              'content-type': 'application/x-ndjson',
              'content-encoding': 'gzip',
            },
            body,
          }),
        );
        count(r.status);
        const answer = await r.json();
        if (r.status === 202) {
          accepted += answer.accepted;
          agent.seq += 1;
          return ms;
        }
        if ((r.status === 429 || r.status === 503) && attempt < 20) {
          await sleep(Number(r.headers.get('retry-after') ?? 1) * 1000);
          continue;
        }
        throw new Error(`ingest answered ${r.status}: ${JSON.stringify(answer)}`);
      }
    };
    const read = async (path) => {
      const { ms, r } = await timed(() => fetch(`${api.baseUrl}${path}`, { headers: readHeaders }));
      count(r.status);
      await r.arrayBuffer();
      if (r.status !== 200 && r.status !== 429 && r.status !== 503) throw new Error(`${path}: ${r.status}`);
      return ms;
    };

    log('idle figures');
    const idleIngest = [];
    const idleQuery = [];
    for (let i = 0; i < IDLE_SAMPLES; i++) {
      idleIngest.push(await send(agents[i % agents.length]));
      for (const q of queries()) idleQuery.push(await read(q));
    }

    log(`load: ${AGENTS} agents x ${BATCH} events/s for ${SECONDS}s, ${READERS} readers`);
    const end = Date.now() + SECONDS * 1000;
    const ingestMs = [];
    const queryMs = [];
    const rss = [];
    const sampler = setInterval(() => rss.push(rssOf(api.pid)), 5000);
    let lastReport = Date.now();
    await Promise.all([
      ...agents.map(async (agent) => {
        await sleep(Math.random() * 1000);
        while (Date.now() < end) {
          const t0 = Date.now();
          ingestMs.push(await send(agent));
          await sleep(Math.max(0, 1000 - (Date.now() - t0)) + Math.random() * 100);
        }
      }),
      ...Array.from({ length: READERS }, async () => {
        while (Date.now() < end) for (const q of queries()) queryMs.push(await read(q));
      }),
      (async () => {
        while (Date.now() < end) {
          await sleep(1000);
          if (Date.now() - lastReport >= 30_000) {
            lastReport = Date.now();
            log(
              `${Math.round((end - Date.now()) / 1000)}s left: ${accepted} events accepted, ${ingestMs.length} batches, ${queryMs.length} queries`,
            );
          }
        }
      })(),
    ]);
    clearInterval(sampler);

    const stored = Number((await pool.query('SELECT count(*) AS n FROM violations')).rows[0].n);
    const sorted = (a) => [...a].sort((x, y) => x - y);
    const p99 = (a) => percentile(sorted(a), 99);
    const half = Math.floor(rss.length / 2);
    const avg = (a) => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);
    const result = {
      agents: AGENTS,
      seconds: SECONDS,
      eventsAccepted: accepted,
      stored,
      eventsPerSecond: Math.round((accepted - IDLE_SAMPLES * BATCH) / SECONDS),
      ingestP99Ms: { idle: +p99(idleIngest).toFixed(1), load: +p99(ingestMs).toFixed(1) },
      queryP99Ms: { idle: +p99(idleQuery).toFixed(1), load: +p99(queryMs).toFixed(1) },
      rssMB: {
        firstHalf: Math.round(avg(rss.slice(0, half)) / 2 ** 20),
        secondHalf: Math.round(avg(rss.slice(half)) / 2 ** 20),
        peak: Math.round(Math.max(...rss) / 2 ** 20),
      },
      statuses: Object.fromEntries(status),
    };
    const checks = {
      exactCount: stored === accepted,
      ingestP99Within5x: result.ingestP99Ms.load <= 5 * result.ingestP99Ms.idle,
      queryP99Within5x: result.queryP99Ms.load <= 5 * result.queryP99Ms.idle,
      rssFlat: result.rssMB.secondHalf <= result.rssMB.firstHalf * 1.2 + 10,
      onlyPlannedErrors: [...status.keys()].every((s) => [200, 201, 202, 429, 503].includes(s)),
    };
    process.stdout.write(JSON.stringify({ load: result, checks }, null, 2) + '\n');
    if (!checks.exactCount || !checks.onlyPlannedErrors) process.exitCode = 1;
  } finally {
    await pool.end();
    await api.stop();
    await db.drop();
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exitCode = 1;
});
