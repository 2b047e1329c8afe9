// Load and soak: a fleet of LOAD_AGENTS (default 200) simulated agents, each enrolled through the
// real API, for LOAD_SECONDS (default 600), while LOAD_READERS (default 4) readers ask what a
// dashboard asks.
//
// The offered load is explicit: LOAD_EVENTS_PER_SECOND (default 5,000) events a second across the
// fleet, produced evenly on every host whatever the service does (as the kernel does). Each
// simulated agent ships like the real one (apps/agent/src/shipping/shipper.ts): once it has events
// it waits up to LOAD_FLUSH_MS (default 1,000, the agent's default) or until LOAD_BATCH (default
// 2,000, the agent's default) are waiting, sends them as one gzip NDJSON batch, one request at a
// time, resends a batch refused with 429/503 after Retry-After, and sends again at once while more
// than a batch waits. So a slow service gets fewer, larger batches, not a growing queue of
// requests. Each reader pages /v1/violations and asks for stats and timeseries, then pauses
// LOAD_READER_PAUSE_MS (default 1,000), as a dashboard refreshing does.
//
// Before the load, the same requests (an ingest batch of the size the load will send) are timed
// one at a time on the idle service. After the load, production stops and the agents drain what
// they still hold. Reported: offered and sustained rates, backlog at the end, p50/p99 of ingest and
// query idle (LOAD_IDLE_SAMPLES, default 200, of each) and under load, RSS, answers, the CPU of the API
// and of its Postgres backends, WAL flushes a second and ingest requests per transaction (group
// commit). Checks: stored = produced = accepted (nothing lost or
// doubled), p99 of ingest and query within 5x the idle figures, RSS flat (second half vs first),
// no error but planned 429/503. Only exactness and errors set the exit code; the rest is reported.
// Traffic goes only to the API this script starts on 127.0.0.1; every loop stops by itself.
/* global fetch */
import { readFileSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import { createBenchDatabase, percentile, startApi } from '../bench/ingest-api-server.js';

const AGENTS = Number(process.env.LOAD_AGENTS ?? 200);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 600);
const EVENTS_PER_SECOND = Number(process.env.LOAD_EVENTS_PER_SECOND ?? 5000);
const FLUSH_MS = Number(process.env.LOAD_FLUSH_MS ?? 1000);
const BATCH = Number(process.env.LOAD_BATCH ?? 2000);
const READERS = Number(process.env.LOAD_READERS ?? 4);
const READER_PAUSE_MS = Number(process.env.LOAD_READER_PAUSE_MS ?? 1000);
const IDLE_SAMPLES = Number(process.env.LOAD_IDLE_SAMPLES ?? 200);
const TICK_MS = 100;

for (const [name, v] of Object.entries({ AGENTS, SECONDS, EVENTS_PER_SECOND, FLUSH_MS, BATCH, READERS })) {
  if (!Number.isFinite(v) || v < 0) throw new Error(`LOAD_${name} must be a number >= 0`);
}

/** The API's resident memory now, from /proc. */
function rssOf(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** CPU seconds (user + system) the API has used so far, from /proc. */
function cpuOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

/** CPU seconds of the Postgres backends serving `database` now (from their process titles). */
function postgresCpuOf(database) {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(` ${database} `)) continue;
      total += cpuOf(pid);
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** Sum and count of the API's group-commit histogram: requests and transactions so far. */
async function commitGroups(baseUrl) {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const value = (name) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? 0);
  return {
    requests: value('sandtrap_ingest_commit_requests_sum'),
    transactions: value('sandtrap_ingest_commit_requests_count'),
  };
}

/** WAL flushes to disk so far, of the whole Postgres server (pg_stat_wal): what commits wait on. */
async function walSyncsOf(pool) {
  const { rows } = await pool.query('SELECT wal_sync FROM pg_stat_wal');
  return Number(rows[0].wal_sync);
}

const log = (msg) => process.stderr.write(`[load] ${msg}\n`);
const load = () => loadavg().map((x) => +x.toFixed(2));

function batchOf(agent, seq, n) {
  const now = Date.now();
  const lines = [];
  for (let i = 0; i < n; i++) {
    lines.push(
      JSON.stringify({
        eventKey: `load:${agent.bootId}:${seq}:${i}`,
        observedAt: new Date(now - 1000 + (i % 1000)).toISOString(),
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
  const loadAtStart = load();
  const db = await createBenchDatabase('sandtrap_load');
  const dbName = new URL(db.url).pathname.slice(1);
  const api = await startApi(db.url);
  const admin = { authorization: `Bearer ${api.adminToken}` };
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  const status = new Map();
  const count = (code) => status.set(code, (status.get(code) ?? 0) + 1);
  let accepted = 0;
  let duplicates = 0;
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
      agents.push({ name: `load-${i}`, token: body.token, bootId: `boot${i}`, seq: 0, due: 0, pending: 0 });
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

    /** Sends `n` events of `agent` as one batch until it is taken; answers the request times. */
    const send = async (agent, n) => {
      const body = batchOf(agent, agent.seq, n);
      agent.seq += 1;
      const times = [];
      for (let attempt = 0; ; attempt++) {
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
        times.push(ms);
        const answer = await r.json();
        if (r.status === 202) {
          if (answer.accepted + answer.duplicates !== n)
            throw new Error(`batch of ${n}: ${JSON.stringify(answer)}`);
          accepted += answer.accepted;
          duplicates += answer.duplicates;
          return times;
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

    // The batch an agent sends at the offered rate: what it gathers in one flush interval.
    const perAgent = AGENTS > 0 ? EVENTS_PER_SECOND / AGENTS : 0;
    const nominalBatch = Math.max(1, Math.min(BATCH, Math.round((perAgent * FLUSH_MS) / 1000)));
    log(`idle figures (batches of ${nominalBatch})`);
    const idleIngest = [];
    const idleQuery = [];
    for (let i = 0; i < IDLE_SAMPLES; i++) {
      idleIngest.push(...(await send(agents[i % agents.length], nominalBatch)));
      for (const q of queries()) idleQuery.push(await read(q));
    }
    const idleEvents = IDLE_SAMPLES * nominalBatch;

    log(
      `load: ${AGENTS} agents, ${EVENTS_PER_SECOND} events/s offered (${perAgent.toFixed(1)}/s each), ` +
        `flush ${FLUSH_MS} ms or ${BATCH} events, ${READERS} readers pausing ${READER_PAUSE_MS} ms, ${SECONDS} s`,
    );
    const started = Date.now();
    const end = started + SECONDS * 1000;
    const cpuAtStart = cpuOf(api.pid);
    let cpuAtEnd = cpuAtStart;
    const pgCpuAtStart = postgresCpuOf(dbName);
    let pgCpuAtEnd = pgCpuAtStart;
    const groupsAtStart = await commitGroups(api.baseUrl);
    let groupsAtEnd = groupsAtStart;
    const walSyncsAtStart = await walSyncsOf(pool);
    let walSyncsAtEnd = walSyncsAtStart;
    // The generator must not be the bottleneck: its own CPU and event-loop lag are reported too.
    const selfAtStart = process.cpuUsage();
    let selfCpu = { user: 0, system: 0 };
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    let producing = true;
    let produced = 0;
    const ingestMs = [];
    const batchSizes = [];
    const queryMs = [];
    let acceptedAtEnd = 0;
    const rss = [];
    const sampler = setInterval(() => rss.push(rssOf(api.pid)), 5000);
    // The kernel side: every host produces its share of the time gone by, whether or not its
    // agent keeps up (by the clock, not per tick: a late timer must not lower the offered rate).
    let lastTick = started;
    const produceUntil = (now) => {
      const share = (perAgent * (now - lastTick)) / 1000;
      lastTick = now;
      for (const agent of agents) {
        agent.due += share;
        const whole = Math.floor(agent.due);
        agent.due -= whole;
        agent.pending += whole;
        produced += whole;
      }
    };
    const producer = setInterval(() => producing && produceUntil(Math.min(Date.now(), end)), TICK_MS);
    let lastReport = Date.now();
    await Promise.all([
      ...agents.map(async (agent) => {
        await sleep(Math.random() * FLUSH_MS);
        while (producing || agent.pending > 0) {
          if (agent.pending === 0) {
            await sleep(20);
            continue;
          }
          // Let a batch fill up, unless it already can (the real agent's shipper loop).
          const deadline = Date.now() + FLUSH_MS;
          while (producing && agent.pending < BATCH && Date.now() < deadline) {
            await sleep(Math.min(20, deadline - Date.now()));
          }
          while (agent.pending > 0) {
            const n = Math.min(agent.pending, BATCH);
            agent.pending -= n;
            const during = Date.now() < end;
            const times = await send(agent, n);
            if (during) {
              ingestMs.push(...times);
              batchSizes.push(n);
            }
          }
        }
      }),
      ...Array.from({ length: READERS }, async () => {
        await sleep(Math.random() * READER_PAUSE_MS);
        while (Date.now() < end) {
          for (const q of queries()) queryMs.push(await read(q));
          await sleep(READER_PAUSE_MS);
        }
      }),
      (async () => {
        await sleep(Math.max(0, end - Date.now()));
        produceUntil(end);
        producing = false;
        acceptedAtEnd = accepted;
        cpuAtEnd = cpuOf(api.pid);
        pgCpuAtEnd = postgresCpuOf(dbName);
        selfCpu = process.cpuUsage(selfAtStart);
        groupsAtEnd = await commitGroups(api.baseUrl);
        walSyncsAtEnd = await walSyncsOf(pool);
        lag.disable();
        log(`production stopped; draining what the agents still hold`);
      })(),
      (async () => {
        while (Date.now() < end) {
          await sleep(1000);
          if (Date.now() - lastReport >= 30_000) {
            lastReport = Date.now();
            log(
              `${Math.round((end - Date.now()) / 1000)}s left: ${produced} produced, ${accepted - idleEvents} accepted, ` +
                `${ingestMs.length} requests, ${queryMs.length} queries, load ${load().join(' ')}`,
            );
          }
        }
      })(),
    ]);
    const drainSeconds = (Date.now() - end) / 1000;
    clearInterval(producer);
    clearInterval(sampler);

    const stored = Number((await pool.query('SELECT count(*) AS n FROM violations')).rows[0].n);
    const sorted = (a) => [...a].sort((x, y) => x - y);
    const p = (a, q) => +percentile(sorted(a), q).toFixed(1);
    const half = Math.floor(rss.length / 2);
    const avg = (a) => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);
    const sustained = Math.round((acceptedAtEnd - idleEvents) / SECONDS);
    const result = {
      agents: AGENTS,
      seconds: SECONDS,
      offered: {
        eventsPerSecond: EVENTS_PER_SECOND,
        producedPerSecond: Math.round(produced / SECONDS),
        flushMs: FLUSH_MS,
        maxBatch: BATCH,
        nominalBatch,
        requestsPerSecond: +(AGENTS * Math.min(1000 / FLUSH_MS, perAgent)).toFixed(1),
      },
      readers: {
        count: READERS,
        pauseMs: READER_PAUSE_MS,
        queriesPerSecond: +(queryMs.length / SECONDS).toFixed(1),
      },
      sustainedEventsPerSecond: sustained,
      backlogAtEndEvents: produced + idleEvents - acceptedAtEnd,
      drainSeconds: +drainSeconds.toFixed(1),
      requests: ingestMs.length,
      meanBatch: Math.round(avg(batchSizes)),
      produced: produced + idleEvents,
      eventsAccepted: accepted,
      duplicates,
      stored,
      ingestMs: {
        idle: { p50: p(idleIngest, 50), p99: p(idleIngest, 99) },
        load: { p50: p(ingestMs, 50), p99: p(ingestMs, 99) },
      },
      queryMs: {
        idle: { p50: p(idleQuery, 50), p99: p(idleQuery, 99) },
        load: { p50: p(queryMs, 50), p99: p(queryMs, 99) },
      },
      apiCpu: {
        coresBusy: +((cpuAtEnd - cpuAtStart) / SECONDS).toFixed(2),
        msPerRequest: +(
          (1000 * (cpuAtEnd - cpuAtStart)) /
          Math.max(1, ingestMs.length + queryMs.length)
        ).toFixed(2),
      },
      postgres: {
        coresBusy: +((pgCpuAtEnd - pgCpuAtStart) / SECONDS).toFixed(2),
        walSyncsPerSecond: Math.round((walSyncsAtEnd - walSyncsAtStart) / SECONDS),
        ingestTransactionsPerSecond: Math.round(
          (groupsAtEnd.transactions - groupsAtStart.transactions) / SECONDS,
        ),
        requestsPerIngestTransaction: +(
          (groupsAtEnd.requests - groupsAtStart.requests) /
          Math.max(1, groupsAtEnd.transactions - groupsAtStart.transactions)
        ).toFixed(1),
      },
      generator: {
        coresBusy: +((selfCpu.user + selfCpu.system) / 1e6 / SECONDS).toFixed(2),
        eventLoopLagP99Ms: +(lag.percentile(99) / 1e6).toFixed(1),
      },
      rssMB: {
        firstHalf: Math.round(avg(rss.slice(0, half)) / 2 ** 20),
        secondHalf: Math.round(avg(rss.slice(half)) / 2 ** 20),
        peak: Math.round(Math.max(...rss) / 2 ** 20),
      },
      statuses: Object.fromEntries(status),
      loadAverage: { start: loadAtStart, end: load() },
    };
    const checks = {
      exactCount: stored === accepted && accepted === produced + idleEvents && duplicates === 0,
      keptUp: result.backlogAtEndEvents <= EVENTS_PER_SECOND * (FLUSH_MS / 1000 + 1),
      ingestP99Within5x: result.ingestMs.load.p99 <= 5 * result.ingestMs.idle.p99,
      queryP99Within5x: result.queryMs.load.p99 <= 5 * result.queryMs.idle.p99,
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
