// Ingest: BENCH_EVENTS (default 1,000,000) SecurityEvents through POST /v1/ingest/events as gzip
// NDJSON batches of BENCH_BATCH (default 5,000) from BENCH_CLIENTS (default 4) concurrent clients, then the same rows by
// raw COPY into a scratch copy of the same schema, in the same run: as CSV (the figure of record)
// and in binary format (as the API sends its rows). Prints the rates and ratios, the stored count
// after a full resend, and the API's peak RSS.
/* global fetch */
import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { createBenchDatabase, startApi } from './ingest-api-server.js';

const N = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 5_000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 4);
const HOSTS = 20;
const SYSCALLS = [
  [101, 'ptrace'],
  [165, 'mount'],
  [272, 'unshare'],
  [59, 'execve'],
  [321, 'bpf'],
  [250, 'keyctl'],
];
const ACTIONS = ['kill_process', 'errno', 'log', 'trap'];

function benchEvent(i, startMs) {
  const [nr, name] = SYSCALLS[i % SYSCALLS.length];
  const action = ACTIONS[i % ACTIONS.length];
  const ms = startMs + Math.floor(i / 10);
  const micros = String((i % 10) * 100 + 7).padStart(3, '0');
  const observedAt = new Date(ms).toISOString().replace('Z', `${micros}Z`);
  const sec = (ms / 1000).toFixed(3);
  const pid = 1000 + (i % 5000);
  return {
    eventKey: `b7e0c1f2:${sec}:${i}`,
    observedAt,
    host: `bench-${i % HOSTS}`,
    bootId: 'b7e0c1f2',
    source: 'kmsg',
    kind: 'seccomp',
    process: {
      pid,
      uid: 1000,
      gid: 1000,
      auid: 4294967295,
      ses: 4294967295,
      comm: 'worker',
      exe: `/usr/bin/app${i % 7}`,
    },
    syscall: { arch: 'x86_64', nr, name, compat: false },
    action,
    blocked: action !== 'log',
    raw: `audit: type=1326 audit(${sec}:${i}): auid=4294967295 uid=1000 gid=1000 ses=4294967295 pid=${pid} comm="worker" exe="/usr/bin/app${i % 7}" sig=0 arch=c000003e syscall=${nr} compat=0 ip=0x7f2a code=0x50000`,
  };
}

const csv = (v) => (v === undefined || v === null ? '' : `"${String(v).replaceAll('"', '""')}"`);

async function main() {
  const db = await createBenchDatabase('sandtrap_bench_ingest');
  const api = await startApi(db.url);
  const pool = new pg.Pool({ connectionString: db.url, max: CLIENTS });
  try {
    const startMs = Date.now() - 3_600_000;
    // Prepared ahead, outside the timed part: what agents would send, and what COPY would read.
    const bodies = [];
    const events = [];
    for (let b = 0; b < N; b += BATCH) {
      const batch = [];
      for (let i = b; i < Math.min(N, b + BATCH); i++) batch.push(benchEvent(i, startMs));
      bodies.push(gzipSync(batch.map((e) => JSON.stringify(e)).join('\n') + '\n', { level: 1 }));
      events.push(batch);
    }

    async function send(label) {
      let next = 0;
      const totals = { accepted: 0, duplicates: 0, rejected: 0 };
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (next < bodies.length) {
            const body = bodies[next++];
            const r = await fetch(`${api.baseUrl}/v1/ingest/events`, {
              method: 'POST',
              headers: {
                authorization: `Bearer ${api.adminToken}`,
                'content-type': 'application/x-ndjson',
                'content-encoding': 'gzip',
              },
              body,
            });
            const answer = await r.json();
            if (r.status !== 202) throw new Error(`${label}: ${r.status} ${JSON.stringify(answer)}`);
            totals.accepted += answer.accepted;
            totals.duplicates += answer.duplicates;
            totals.rejected += answer.rejected;
          }
        }),
      );
      return { seconds: (performance.now() - t0) / 1000, ...totals };
    }

    api.resetPeakRss();
    const first = await send('first pass');
    const firstRss = api.peakRss();
    const count = async (table) => Number((await pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    const stored = await count('violations');
    const resend = await send('full resend');
    const storedAfterResend = await count('violations');
    // The per-minute rollup as queries read it: the tier and the batches' deltas not folded yet.
    const rollup = Number(
      (
        await pool.query(
          `SELECT (SELECT coalesce(sum(count), 0) FROM violation_counts)
                + (SELECT coalesce(sum(n), 0) FROM violation_rollup_deltas d, unnest(d.counts) AS n) AS n`,
        )
      ).rows[0].n,
    );

    // Baseline: the same rows by raw COPY into a scratch copy of the same table, same indexes.
    const hosts = new Map((await pool.query('SELECT id, name FROM hosts')).rows.map((r) => [r.name, r.id]));
    const { rows: parts } = await pool.query(
      `SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'public.violations'::regclass`,
    );
    const { rows: indexes } = await pool.query(
      `SELECT pg_get_indexdef(i.indexrelid) AS def, c.relname AS name FROM pg_index i
       JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'public.violations'::regclass`,
    );
    async function scratchSchema(schema) {
      await pool.query(`CREATE SCHEMA ${schema}`);
      await pool.query(
        `CREATE TABLE ${schema}.violations (LIKE public.violations INCLUDING DEFAULTS) PARTITION BY RANGE (observed_at)`,
      );
      for (const p of parts)
        await pool.query(`CREATE TABLE ${schema}.${p.relname} PARTITION OF ${schema}.violations ${p.bound}`);
      for (const ix of indexes) {
        await pool.query(
          ix.def
            .replace(/ ON (ONLY )?public\.violations /, ` ON ${schema}.violations `)
            .replace(/INDEX \S+ /, `INDEX ${ix.name}_${schema} `),
        );
      }
    }
    const columns = `host_id, event_key, observed_at, source, kind, action, blocked, syscall_arch, syscall_nr, syscall_name,
      syscall_compat, pid, uid, gid, auid, ses, comm, exe, boot_id, raw`;
    /** Each stream's chunks into `table` by COPY, the streams at once; answers the seconds taken. */
    async function copyIn(table, options, streams) {
      const c0 = performance.now();
      await Promise.all(
        streams.map(async (share) => {
          const client = await pool.connect();
          try {
            await pipeline(
              Readable.from(share),
              client.query(copyStreams.from(`COPY ${table} (${columns}) FROM STDIN WITH (${options})`)),
            );
          } finally {
            client.release();
          }
        }),
      );
      return (performance.now() - c0) / 1000;
    }

    // CSV, as COPY is mostly fed: the figure of record since the first run of this bench.
    await scratchSchema('copy_bench');
    const csvChunks = events.map((batch) =>
      Buffer.from(
        batch
          .map((e) =>
            [
              hosts.get(e.host),
              e.eventKey,
              e.observedAt,
              e.source,
              e.kind,
              e.action,
              e.blocked,
              e.syscall.arch,
              e.syscall.nr,
              e.syscall.name,
              e.syscall.compat,
              e.process.pid,
              e.process.uid,
              e.process.gid,
              e.process.auid,
              e.process.ses,
              e.process.comm,
              e.process.exe,
              e.bootId,
              e.raw,
            ]
              .map(csv)
              .join(','),
          )
          .join('\n') + '\n',
      ),
    );
    const copySeconds = await copyIn(
      'copy_bench.violations',
      'FORMAT csv',
      Array.from({ length: CLIENTS }, (_, k) => csvChunks.filter((_, i) => i % CLIENTS === k)),
    );
    const copied = await count('copy_bench.violations');

    // Binary, as the API sends its rows: the same rows, as Postgres itself writes them out.
    await scratchSchema('copy_bench_binary');
    const binaryStreams = [];
    for (let k = 0; k < CLIENTS; k++) {
      const client = await pool.connect();
      try {
        const chunks = [];
        const out = client.query(
          copyStreams.to(
            `COPY (SELECT ${columns} FROM copy_bench.violations WHERE abs(hashtext(event_key)) % ${CLIENTS} = ${k})
             TO STDOUT WITH (FORMAT binary)`,
          ),
        );
        for await (const chunk of out) chunks.push(chunk);
        binaryStreams.push(chunks);
      } finally {
        client.release();
      }
    }
    const binarySeconds = await copyIn('copy_bench_binary.violations', 'FORMAT binary', binaryStreams);
    const copiedBinary = await count('copy_bench_binary.violations');

    const apiRate = N / first.seconds;
    const copyRate = copied / copySeconds;
    const result = {
      events: N,
      clients: CLIENTS,
      batch: BATCH,
      api: { seconds: +first.seconds.toFixed(2), eventsPerSecond: Math.round(apiRate), ...first },
      resend: { seconds: +resend.seconds.toFixed(2), ...resend },
      copy: {
        seconds: +copySeconds.toFixed(2),
        eventsPerSecond: Math.round(copyRate),
        rows: copied,
        streams: CLIENTS,
      },
      ratio: +(apiRate / copyRate).toFixed(3),
      copyBinary: {
        seconds: +binarySeconds.toFixed(2),
        eventsPerSecond: Math.round(copiedBinary / binarySeconds),
        rows: copiedBinary,
        streams: CLIENTS,
      },
      ratioToBinaryCopy: +(apiRate / (copiedBinary / binarySeconds)).toFixed(3),
      stored,
      storedAfterResend,
      rollupTotal: rollup,
      exact:
        stored === N &&
        storedAfterResend === N &&
        rollup === N &&
        resend.duplicates === N &&
        copied === N &&
        copiedBinary === N,
      apiPeakRssMB: Math.round(Math.max(firstRss, api.peakRss()) / 1048576),
      apiPeakRssFirstPassMB: Math.round(firstRss / 1048576),
    };
    console.log(JSON.stringify({ bench: 'ingest', ...result }, null, 2));
    if (!result.exact) process.exitCode = 1;
  } finally {
    await pool.end();
    await api.stop();
    await db.drop();
  }
}

await main();
