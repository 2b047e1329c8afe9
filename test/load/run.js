// Load and soak: a fleet of LOAD_AGENTS (default 200) simulated agents, each enrolled through the
// real API, for LOAD_SECONDS (default 600), while LOAD_READERS (default 4) readers ask what a
// dashboard asks. The HTTP client of record is autocannon: every request of the idle figures and
// of the load goes through it, and every latency reported is the one autocannon measured for that
// request (from writing it to the last byte of the answer).
//
// The offered load is explicit: LOAD_EVENTS_PER_SECOND (default 5,000) events a second across the
// fleet, produced by the clock on every host whatever the service does (as the kernel does). Each
// simulated agent is one autocannon instance with one connection and `connectionRate: 1`, started
// at a random point of the first second (so the fleet's flushes are spread over the second, as
// real agents' are, instead of all arriving at once). In each one-second slot the agent sends, as
// apps/agent/src/shipping/shipper.ts does every flush interval, one gzip NDJSON batch of what it
// holds (at most LOAD_BATCH, default 2,000, the agent's default); a batch refused with 429/503 is
// resent unchanged in the first slot after Retry-After; if a request takes longer than the slot,
// the next one goes as soon as it is answered, carrying everything that arrived meanwhile. So a slow
// service gets fewer, larger batches, not a growing queue of requests. autocannon cannot leave a
// slot empty (setupRequest must return a request), so a slot with nothing to send (the first
// milliseconds, a Retry-After wait, the end of the drain) asks GET /healthz instead: these polls are
// counted apart and are in no figure. Each reader is one autocannon connection that pages
// /v1/violations and asks for stats and timeseries once a second (`connectionRate: 3`), as a
// dashboard refreshing does. autocannon paces by the second, so the flush interval is one second
// (LOAD_FLUSH_MS may only be 1000) and readers refresh once a second.
//
// Before the load, the same requests (an ingest batch of the size the load will send and the three
// queries) are timed one at a time on the idle service (LOAD_IDLE_SAMPLES, default 200, of each).
// After the load, production stops and the agents drain what they still hold. Reported: offered
// and sustained rates, backlog at the end, p50/p99 of ingest and query idle and under load, RSS,
// answers, the CPU of the API, of its Postgres backends and of this generator, the generator's
// event-loop lag, WAL (flushes, MB and full-page images a second, checkpoints; whole server),
// ingest requests per transaction (group commit), row writes to the rollup tiers (with the share
// of HOT updates) and their size at the end, the API's event-loop lag and garbage collections, and
// the ingest p99 and the whole machine's CPU use of every 10 s. Checks: stored = produced =
// accepted (nothing lost or doubled), p99 of ingest and query within 5x the idle figures, RSS flat
// (second half vs first), no error but planned 429/503. Only exactness and errors set the exit
// code; the rest is reported. Traffic goes only to the API this script starts on
// 127.0.0.1; every autocannon instance stops by itself (at the latest LOAD_DRAIN_LIMIT_SECONDS,
// default 300, after the end).
/* global fetch */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import autocannon from 'autocannon';
import pg from 'pg';
import { createBenchDatabase, percentile, startApi } from '../bench/ingest-api-server.js';

const AGENTS = Number(process.env.LOAD_AGENTS ?? 200);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 600);
const EVENTS_PER_SECOND = Number(process.env.LOAD_EVENTS_PER_SECOND ?? 5000);
const FLUSH_MS = Number(process.env.LOAD_FLUSH_MS ?? 1000);
const BATCH = Number(process.env.LOAD_BATCH ?? 2000);
const READERS = Number(process.env.LOAD_READERS ?? 4);
const IDLE_SAMPLES = Number(process.env.LOAD_IDLE_SAMPLES ?? 200);
const DRAIN_LIMIT_SECONDS = Number(process.env.LOAD_DRAIN_LIMIT_SECONDS ?? 300);
const MAX_ATTEMPTS = 20;

for (const [name, v] of Object.entries({
  AGENTS,
  SECONDS,
  EVENTS_PER_SECOND,
  BATCH,
  READERS,
  IDLE_SAMPLES,
  DRAIN_LIMIT_SECONDS,
})) {
  if (!Number.isFinite(v) || v < 0) throw new Error(`LOAD_${name} must be a number >= 0`);
}
if (AGENTS < 1 || BATCH < 1 || IDLE_SAMPLES < 1) {
  throw new Error('LOAD_AGENTS, LOAD_BATCH and LOAD_IDLE_SAMPLES must be at least 1');
}
if (FLUSH_MS !== 1000) {
  throw new Error(
    'LOAD_FLUSH_MS may only be 1000: autocannon paces a connection in requests per second, so a simulated agent flushes once a second',
  );
}
if (process.env.LOAD_READER_PAUSE_MS !== undefined) {
  throw new Error('LOAD_READER_PAUSE_MS is gone: readers refresh once a second (autocannon connectionRate)');
}

// autocannon keeps three HDR histograms per instance, by default in WebAssembly with 5 significant
// digits (about 2.4 MB each instance: 480 MB for 200 agents). This suite computes its percentiles
// from the per-request latencies autocannon reports, so each instance gets small JS histograms
// (autocannon's `histograms` option, which its worker mode uses) built by its own hdr-histogram-js.
const hdr = createRequire(createRequire(import.meta.url).resolve('autocannon'))('hdr-histogram-js');
const smallHistogram = () =>
  hdr.build({
    useWebAssembly: false,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000,
    numberOfSignificantValueDigits: 2,
  });
const histograms = () => ({
  latencies: smallHistogram(),
  requests: smallHistogram(),
  throughput: smallHistogram(),
});

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

/**
 * CPU seconds of the Postgres backends serving `database` (found by their process titles),
 * sampled every second from now on. The API's pool closes idle connections and opens new ones,
 * so two instant sums would lose every backend that ended between them: here a backend keeps what
 * it used until its last sample, and one that starts later counts from zero.
 */
function postgresCpuTracker(database) {
  const first = new Map();
  const last = new Map();
  const sample = (atStart) => {
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(` ${database} `)) continue;
        const cpu = cpuOf(pid);
        if (!first.has(pid)) first.set(pid, atStart ? cpu : 0);
        last.set(pid, cpu);
      } catch {
        // gone meanwhile
      }
    }
  };
  sample(true);
  const timer = setInterval(() => sample(false), 1000);
  return {
    /** CPU seconds used since the tracker started; stops sampling. */
    stop() {
      clearInterval(timer);
      sample(false);
      let total = 0;
      for (const [pid, cpu] of last) total += cpu - first.get(pid);
      return total;
    },
  };
}

/**
 * From the API's /metrics: the group-commit histogram's sum and count (requests and
 * transactions so far), its garbage collections so far (count, seconds, and how many took 100 ms
 * or more, per kind), and its event-loop lag since the previous scrape (prom-client resets that
 * histogram on every scrape, so the scrape at the end covers the run when one was made at the start).
 */
async function apiMetrics(baseUrl) {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const value = (name) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? 0);
  const gc = {};
  for (const kind of ['minor', 'major', 'incremental']) {
    const count = value(`nodejs_gc_duration_seconds_count\\{kind="${kind}"\\}`);
    gc[kind] = {
      count,
      seconds: value(`nodejs_gc_duration_seconds_sum\\{kind="${kind}"\\}`),
      over100ms: count - value(`nodejs_gc_duration_seconds_bucket\\{le="0.1",kind="${kind}"\\}`),
    };
  }
  /** Observations of a histogram (summed over the label sets `pick` keeps), and how many took over 0.1 s. */
  const slow = (metric, pick = () => true) => {
    let count = 0;
    let fast = 0;
    for (const line of text.split('\n')) {
      if (!pick(line)) continue;
      if (line.startsWith(`${metric}_count`)) count += Number(line.split(' ').pop());
      else if (line.startsWith(`${metric}_bucket{le="0.1"`)) fast += Number(line.split(' ').pop());
    }
    return { count, over100ms: count - fast };
  };
  return {
    // Ingest requests as the API timed them: the whole request in Fastify (from its first byte
    // read to the answer sent) and the database write alone (waiting for its group and the commit).
    ingestHttp: slow('sandtrap_http_request_duration_seconds', (l) =>
      l.includes('route="/v1/ingest/events"'),
    ),
    ingestDbWrite: slow('sandtrap_ingest_db_write_duration_seconds'),
    requests: value('sandtrap_ingest_commit_requests_sum'),
    transactions: value('sandtrap_ingest_commit_requests_count'),
    gc,
    lagP99Ms: +(value('nodejs_eventloop_lag_p99_seconds') * 1000).toFixed(1),
    lagMaxMs: +(value('nodejs_eventloop_lag_max_seconds') * 1000).toFixed(1),
  };
}

/**
 * WAL so far, of the whole Postgres server (pg_stat_wal): flushes to disk (what commits wait on),
 * bytes and full-page images (the first change of a page after a checkpoint writes all of it), and
 * checkpoints (pg_stat_bgwriter up to PostgreSQL 16; null where it has no such columns).
 */
async function walOf(pool) {
  const { rows } = await pool.query('SELECT wal_sync, wal_bytes, wal_fpi FROM pg_stat_wal');
  const checkpoints = await pool
    .query('SELECT checkpoints_timed + checkpoints_req AS n FROM pg_stat_bgwriter')
    .then((r) => Number(r.rows[0].n))
    .catch(() => null);
  return {
    syncs: Number(rows[0].wal_sync),
    bytes: Number(rows[0].wal_bytes),
    fullPageImages: Number(rows[0].wal_fpi),
    checkpoints,
  };
}

/**
 * Row writes to the rollup tiers so far (pg_stat_user_tables of this database): inserts, updates,
 * and the updates that were HOT (no new index entries), which is what ingest's upserts cost.
 */
async function rollupWritesOf(pool) {
  const { rows } = await pool.query(`
    SELECT coalesce(sum(n_tup_ins), 0)::bigint AS ins, coalesce(sum(n_tup_upd), 0)::bigint AS upd,
           coalesce(sum(n_tup_hot_upd), 0)::bigint AS hot
    FROM pg_stat_user_tables WHERE relname LIKE 'violation_counts%' OR relname LIKE 'violation_actions%'`);
  return { inserts: Number(rows[0].ins), updates: Number(rows[0].upd), hot: Number(rows[0].hot) };
}

/** Busy and total CPU time of the whole machine so far (all cores, from /proc/stat), in ticks. */
function machineCpu() {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  return { busy: total - ticks[3] - ticks[4], total }; // idle and iowait are not busy
}

const log = (msg) => process.stderr.write(`[load] ${msg}\n`);
const load = () => loadavg().map((x) => +x.toFixed(2));
const headerOf = (headers, name) => Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];

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

async function main() {
  const loadAtStart = load();
  const db = await createBenchDatabase('sandtrap_load');
  const dbName = new URL(db.url).pathname.slice(1);
  const api = await startApi(db.url);
  const admin = { authorization: `Bearer ${api.adminToken}` };
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  const status = new Map();
  const count = (code) => status.set(code, (status.get(code) ?? 0) + 1);
  const pollStatus = new Map();
  const errors = [];
  const fail = (msg) => {
    if (errors.length < 20) errors.push(msg);
    else if (errors.length === 20) errors.push('(more errors not listed)');
  };
  let requestErrors = 0;
  let accepted = 0;
  let duplicates = 0;
  let refusedEvents = 0;
  /** One autocannon instance on the API; its request errors (timeouts, broken connections) are errors of the run. */
  const cannon = (opts) => {
    const instance = autocannon({
      url: api.baseUrl,
      connections: 1,
      timeout: 60,
      histograms: histograms(),
      ...opts,
    });
    instance.on('reqError', (error) => {
      requestErrors += 1;
      fail(`request error: ${error.message}`);
    });
    return instance;
  };
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
      agents.push({
        name: `load-${i}`,
        token: body.token,
        bootId: `boot${i}`,
        seq: 0,
        taken: 0,
        batch: null,
        sent: null,
        stopping: false,
      });
    }
    const viewer = await (
      await fetch(`${api.baseUrl}/v1/tokens`, {
        method: 'POST',
        headers: { ...admin, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'load-reader', role: 'viewer' }),
      })
    ).json();
    const queryPaths = [
      () => `/v1/violations?limit=100&action=kill_process`,
      () => `/v1/violations/stats?groupBy=syscall&from=${new Date(Date.now() - 3_600_000).toISOString()}`,
      () => `/v1/violations/timeseries?interval=1m&from=${new Date(Date.now() - 3_600_000).toISOString()}`,
    ];
    const queryRequest = (i) => (req) => ({
      ...req,
      method: 'GET',
      path: queryPaths[i](),
      headers: { authorization: `Bearer ${viewer.token}` },
      body: undefined,
    });
    const ingestRequest = (req, agent, body) => ({
      ...req,
      method: 'POST',
      path: '/v1/ingest/events',
      headers: {
        authorization: `Bearer ${agent.token}`,
        'content-type': 'application/x-ndjson',
        'content-encoding': 'gzip',
      },
      body,
    });
    const onQueryAnswer = (code, body) => {
      count(code);
      if (code !== 200 && code !== 429 && code !== 503) fail(`query answered ${code}: ${body.slice(0, 200)}`);
    };
    /** The answer to a batch of `n` events: counted if taken; true if it is taken or will never be. */
    const onBatchAnswer = (code, body, n) => {
      count(code);
      if (code === 202) {
        const answer = JSON.parse(body);
        if (answer.accepted + answer.duplicates !== n) fail(`batch of ${n}: ${body.slice(0, 200)}`);
        accepted += answer.accepted;
        duplicates += answer.duplicates;
        return true;
      }
      if (code === 429 || code === 503) return false;
      fail(`ingest answered ${code}: ${body.slice(0, 200)}`);
      refusedEvents += n;
      return true;
    };

    // The batch an agent sends at the offered rate: what it gathers in one flush interval.
    const perAgent = EVENTS_PER_SECOND / AGENTS;
    const nominalBatch = Math.max(1, Math.min(BATCH, Math.round((perAgent * FLUSH_MS) / 1000)));
    log(`idle figures (batches of ${nominalBatch}), one request at a time`);
    const idleIngest = [];
    const idleQuery = [];
    let idleEvents = 0;
    {
      let next = 0;
      let current = null;
      const idle = cannon({
        amount: IDLE_SAMPLES * (1 + queryPaths.length),
        requests: [
          {
            setupRequest: (req) => {
              const agent = agents[next++ % agents.length];
              current = { kind: 'ingest', n: nominalBatch };
              return ingestRequest(req, agent, batchOf(agent, agent.seq++, nominalBatch));
            },
            onResponse: (code, body) => {
              // Not resent if refused: the idle figures are one request each; a refused batch is
              // simply not produced (it shows in the answers).
              if (onBatchAnswer(code, body, current.n) && code === 202) idleEvents += current.n;
            },
          },
          ...queryPaths.map((_, i) => ({
            setupRequest: (req) => {
              current = { kind: 'query' };
              return queryRequest(i)(req);
            },
            onResponse: onQueryAnswer,
          })),
        ],
      });
      idle.on('response', (_client, _code, _bytes, ms) =>
        (current.kind === 'ingest' ? idleIngest : idleQuery).push(ms),
      );
      await idle;
    }

    log(
      `load: ${AGENTS} agents, ${EVENTS_PER_SECOND} events/s offered (${perAgent.toFixed(1)}/s each), ` +
        `flush ${FLUSH_MS} ms or ${BATCH} events, ${READERS} readers refreshing once a second, ${SECONDS} s`,
    );
    const started = Date.now();
    const end = started + SECONDS * 1000;
    // The kernel side: every host has produced its share of the time gone by, whether or not its
    // agent keeps up (by the clock, read whenever the agent looks).
    const producedBy = (t) => Math.floor((perAgent * (Math.min(t, end) - started)) / 1000);
    const cpuAtStart = cpuOf(api.pid);
    let cpuAtEnd = cpuAtStart;
    const pgCpu = postgresCpuTracker(dbName);
    let pgCpuSeconds = 0;
    const groupsAtStart = await apiMetrics(api.baseUrl);
    let groupsAtEnd = groupsAtStart;
    const walAtStart = await walOf(pool);
    let walAtEnd = walAtStart;
    const rollupsAtStart = await rollupWritesOf(pool);
    let rollupsAtEnd = rollupsAtStart;
    // The generator must not be the bottleneck: its own CPU and event-loop lag are reported too.
    const selfAtStart = process.cpuUsage();
    let selfCpu = { user: 0, system: 0 };
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const ingestMs = [];
    const ingestAt = [];
    const batchSizes = [];
    const queryMs = [];
    let polls = 0;
    let acceptedAtEnd = 0;
    let lastAckAt = end;
    const rss = [];
    const sampler = setInterval(() => rss.push(rssOf(api.pid)), 5000);
    // How busy the whole machine was in each 10 s (this run and anything else on it).
    const machineBusy = [];
    let machineBefore = machineCpu();
    const machineSampler = setInterval(() => {
      const now = machineCpu();
      machineBusy.push(
        +((now.busy - machineBefore.busy) / Math.max(1, now.total - machineBefore.total)).toFixed(2),
      );
      machineBefore = now;
    }, 10_000);
    const duration = SECONDS + 1 + DRAIN_LIMIT_SECONDS;

    /** One simulated agent: one autocannon instance, one connection, one request a second. */
    const runAgent = (agent) => {
      const instance = cannon({
        connectionRate: 1000 / FLUSH_MS,
        duration,
        requests: [
          {
            setupRequest: (req) => {
              const now = Date.now();
              if (!agent.batch) {
                const n = Math.min(BATCH, producedBy(now) - agent.taken);
                if (n > 0) {
                  agent.batch = { body: batchOf(agent, agent.seq++, n), n, attempts: 0, retryAt: 0 };
                  agent.taken += n;
                }
              }
              if (agent.batch && now >= agent.batch.retryAt) {
                agent.sent = { kind: 'batch', during: now < end };
                return ingestRequest(req, agent, agent.batch.body);
              }
              agent.sent = { kind: 'poll' };
              return { ...req, method: 'GET', path: '/healthz', headers: {}, body: undefined };
            },
            onResponse: (code, body, _context, headers) => {
              if (agent.sent.kind === 'poll') {
                polls += 1;
                pollStatus.set(code, (pollStatus.get(code) ?? 0) + 1);
                if (code !== 200) fail(`/healthz answered ${code}`);
                return;
              }
              const batch = agent.batch;
              if (onBatchAnswer(code, body, batch.n)) {
                if (agent.sent.during) batchSizes.push(batch.n);
                agent.batch = null;
                lastAckAt = Date.now();
              } else if (++batch.attempts < MAX_ATTEMPTS) {
                batch.retryAt = Date.now() + Number(headerOf(headers, 'retry-after') ?? 1) * 1000;
              } else {
                fail(`batch of ${batch.n} refused ${MAX_ATTEMPTS} times (last ${code})`);
                refusedEvents += batch.n;
                agent.batch = null;
              }
            },
          },
        ],
      });
      instance.on('response', (_client, _code, _bytes, ms) => {
        if (agent.sent.kind === 'batch' && agent.sent.during) {
          ingestMs.push(ms);
          ingestAt.push(Date.now() - started);
        }
        // Production has stopped and everything is taken: this agent is done.
        if (!agent.stopping && Date.now() >= end && !agent.batch && agent.taken === producedBy(end)) {
          agent.stopping = true;
          instance.stop();
        }
      });
      return instance;
    };

    /** One reader: one autocannon connection asking the three queries once a second. */
    const readers = [];
    const runReader = () => {
      let during = false;
      const instance = cannon({
        connectionRate: queryPaths.length,
        duration,
        requests: queryPaths.map((_, i) => ({
          setupRequest: (req) => {
            during = Date.now() < end;
            return queryRequest(i)(req);
          },
          onResponse: onQueryAnswer,
        })),
      });
      instance.on('response', (_client, _code, _bytes, ms) => during && queryMs.push(ms));
      readers.push(instance);
      if (Date.now() >= end) instance.stop();
      return instance;
    };

    const startLater = (fn) => sleep(Math.random() * FLUSH_MS).then(() => fn());
    const ended = sleep(Math.max(0, end - Date.now())).then(async () => {
      acceptedAtEnd = accepted;
      cpuAtEnd = cpuOf(api.pid);
      pgCpuSeconds = pgCpu.stop();
      selfCpu = process.cpuUsage(selfAtStart);
      lag.disable();
      for (const r of readers) r.stop();
      groupsAtEnd = await apiMetrics(api.baseUrl);
      walAtEnd = await walOf(pool);
      rollupsAtEnd = await rollupWritesOf(pool);
      log(`production stopped; draining what the agents still hold`);
    });
    const progress = setInterval(() => {
      log(
        `${Math.round((end - Date.now()) / 1000)}s left: ${producedBy(Date.now()) * AGENTS} produced, ` +
          `${accepted - idleEvents} accepted, ${ingestMs.length} requests, ${queryMs.length} queries, ` +
          `load ${load().join(' ')}`,
      );
    }, 30_000);
    await Promise.all([
      ...agents.map((agent) => startLater(() => runAgent(agent))),
      ...Array.from({ length: READERS }, () => startLater(runReader)),
      ended,
    ]);
    clearInterval(progress);
    clearInterval(sampler);
    clearInterval(machineSampler);
    const drainSeconds = Math.max(0, lastAckAt - end) / 1000;
    const produced = producedBy(end) * AGENTS;

    const stored = Number((await pool.query('SELECT count(*) AS n FROM violations')).rows[0].n);
    const rollupBytes = Number(
      (
        await pool.query(`SELECT coalesce(sum(pg_total_relation_size(relid)), 0)::bigint AS n FROM pg_stat_user_tables
          WHERE relname LIKE 'violation_counts%' OR relname LIKE 'violation_actions%'`)
      ).rows[0].n,
    );
    const sorted = (a) => [...a].sort((x, y) => x - y);
    const p = (a, q) => +percentile(sorted(a), q).toFixed(1);
    const half = Math.floor(rss.length / 2);
    const avg = (a) => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);
    const sustained = Math.round((acceptedAtEnd - idleEvents) / SECONDS);
    const result = {
      agents: AGENTS,
      seconds: SECONDS,
      startedAt: new Date(started).toISOString(),
      client: `autocannon ${createRequire(import.meta.url)('autocannon/package.json').version}`,
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
        refreshesPerSecond: 1,
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
      refusedEvents,
      stored,
      ingestMs: {
        idle: { p50: p(idleIngest, 50), p99: p(idleIngest, 99), samples: idleIngest.length },
        load: { p50: p(ingestMs, 50), p99: p(ingestMs, 99) },
        // p99 of the answers of each 10 s of the run (by when they came): when the tail happens.
        loadP99By10s: Array.from({ length: Math.ceil(SECONDS / 10) }, (_, w) =>
          p(
            ingestMs.filter((_, i) => Math.floor(ingestAt[i] / 10_000) === w),
            99,
          ),
        ),
      },
      queryMs: {
        idle: { p50: p(idleQuery, 50), p99: p(idleQuery, 99), samples: idleQuery.length },
        load: { p50: p(queryMs, 50), p99: p(queryMs, 99) },
      },
      // Where the slow ingest requests were slow: share of requests over 100 ms as this client
      // saw them, as the API's HTTP layer timed them, and in the database write alone.
      ingestOver100ms: {
        client: +(ingestMs.filter((ms) => ms > 100).length / Math.max(1, ingestMs.length)).toFixed(4),
        apiHttp: +(
          (groupsAtEnd.ingestHttp.over100ms - groupsAtStart.ingestHttp.over100ms) /
          Math.max(1, groupsAtEnd.ingestHttp.count - groupsAtStart.ingestHttp.count)
        ).toFixed(4),
        apiDbWrite: +(
          (groupsAtEnd.ingestDbWrite.over100ms - groupsAtStart.ingestDbWrite.over100ms) /
          Math.max(1, groupsAtEnd.ingestDbWrite.count - groupsAtStart.ingestDbWrite.count)
        ).toFixed(4),
      },
      apiCpu: {
        coresBusy: +((cpuAtEnd - cpuAtStart) / SECONDS).toFixed(2),
        eventLoopLagP99Ms: groupsAtEnd.lagP99Ms,
        eventLoopLagMaxMs: groupsAtEnd.lagMaxMs,
        gc: Object.fromEntries(
          Object.entries(groupsAtEnd.gc).map(([kind, g]) => [
            kind,
            {
              count: g.count - groupsAtStart.gc[kind].count,
              seconds: +(g.seconds - groupsAtStart.gc[kind].seconds).toFixed(2),
              over100ms: g.over100ms - groupsAtStart.gc[kind].over100ms,
            },
          ]),
        ),
        msPerRequest: +(
          (1000 * (cpuAtEnd - cpuAtStart)) /
          Math.max(1, ingestMs.length + queryMs.length + polls)
        ).toFixed(2),
      },
      postgres: {
        coresBusy: +(pgCpuSeconds / SECONDS).toFixed(2),
        walSyncsPerSecond: Math.round((walAtEnd.syncs - walAtStart.syncs) / SECONDS),
        walMBPerSecond: +((walAtEnd.bytes - walAtStart.bytes) / 2 ** 20 / SECONDS).toFixed(2),
        walFullPageImagesPerSecond: Math.round(
          (walAtEnd.fullPageImages - walAtStart.fullPageImages) / SECONDS,
        ),
        checkpoints: walAtStart.checkpoints === null ? null : walAtEnd.checkpoints - walAtStart.checkpoints,
        ingestTransactionsPerSecond: Math.round(
          (groupsAtEnd.transactions - groupsAtStart.transactions) / SECONDS,
        ),
        requestsPerIngestTransaction: +(
          (groupsAtEnd.requests - groupsAtStart.requests) /
          Math.max(1, groupsAtEnd.transactions - groupsAtStart.transactions)
        ).toFixed(1),
        rollupRowInsertsPerSecond: Math.round((rollupsAtEnd.inserts - rollupsAtStart.inserts) / SECONDS),
        rollupRowUpdatesPerSecond: Math.round((rollupsAtEnd.updates - rollupsAtStart.updates) / SECONDS),
        rollupMBAtEnd: Math.round(rollupBytes / 2 ** 20),
        rollupHotUpdateShare: +(
          (rollupsAtEnd.hot - rollupsAtStart.hot) /
          Math.max(1, rollupsAtEnd.updates - rollupsAtStart.updates)
        ).toFixed(2),
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
      machineCpuBusyBy10s: machineBusy,
      statuses: Object.fromEntries(status),
      polls: { count: polls, statuses: Object.fromEntries(pollStatus) },
      requestErrors,
      errors,
      loadAverage: { start: loadAtStart, end: load() },
    };
    const checks = {
      exactCount: stored === accepted && accepted === produced + idleEvents && duplicates === 0,
      keptUp: result.backlogAtEndEvents <= EVENTS_PER_SECOND * (FLUSH_MS / 1000 + 1),
      ingestP99Within5x: result.ingestMs.load.p99 <= 5 * result.ingestMs.idle.p99,
      queryP99Within5x: result.queryMs.load.p99 <= 5 * result.queryMs.idle.p99,
      rssFlat: result.rssMB.secondHalf <= result.rssMB.firstHalf * 1.2 + 10,
      onlyPlannedErrors:
        errors.length === 0 && [...status.keys()].every((s) => [200, 201, 202, 429, 503].includes(s)),
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
