import os from 'node:os';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldRollupDeltas } from '@sandtrap/api';
import type { SecurityEvent } from '@sandtrap/events';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Bytes a stored event costs (violations partitions with their indexes and TOAST, plus every
 * rollup tier) through the real ingest path. `npm test` loads a few thousand and holds the figure
 * under a ceiling; SIZING_EVENTS=200000 gives the figure of docs/sizing.md.
 */
const EVENTS = Number(process.env.SIZING_EVENTS ?? 6000);
const BATCH = 5000;
const HOSTS = 40;
const SYSCALLS: Array<[number, string]> = [
  [101, 'ptrace'],
  [165, 'mount'],
  [272, 'unshare'],
  [59, 'execve'],
  [41, 'socket'],
  [321, 'bpf'],
  [298, 'perf_event_open'],
  [250, 'keyctl'],
];
const EXES = [
  '/usr/bin/curl',
  '/usr/local/bin/node',
  '/usr/bin/python3.12',
  '/bin/busybox',
  '/usr/sbin/nginx',
  '/app/server',
];
const ACTIONS = ['kill_process', 'errno', 'log', 'trap'] as const;

function realistic(i: number, startMs: number): SecurityEvent {
  const [nr, name] = SYSCALLS[i % SYSCALLS.length];
  const exe = EXES[(i * 7) % EXES.length];
  const pid = 1000 + ((i * 13) % 60000);
  const stamp = (startMs + i * 37) / 1000;
  const container = (i % 5).toString(16).repeat(64);
  return {
    eventKey: `b${i % HOSTS}:${stamp.toFixed(3)}:${i}`,
    observedAt: new Date(startMs + i * 37).toISOString().replace('Z', '000Z'),
    host: `node-${String(i % HOSTS).padStart(3, '0')}.prod.example.net`,
    bootId: `7c1e0d2a-${String(i % HOSTS).padStart(4, '0')}-4b1e-9d3f-2a7c9e1b0f4d`,
    source: 'kmsg',
    kind: 'seccomp',
    process: {
      pid,
      tid: pid,
      uid: 1000,
      gid: 1000,
      auid: 4294967295,
      ses: 4294967295,
      comm: exe.split('/').pop()!.slice(0, 15),
      exe,
    },
    container: {
      id: container,
      name: `app-${i % 5}`,
      image: `registry.example.net/team/app-${i % 5}:1.4.${i % 3}`,
      pod: `app-${i % 5}-7d9f8c6b5-x2kqp`,
      namespace: 'payments',
    },
    syscall: { arch: 'x86_64', nr, name, compat: false },
    action: ACTIONS[i % ACTIONS.length],
    blocked: ACTIONS[i % ACTIONS.length] !== 'log',
    signal: { nr: 31, name: 'SIGSYS' },
    details: { code: '0x80000000', ip: `0x7f${(i * 2654435761) % 0xffffffff}` },
    raw: `audit: type=1326 audit(${stamp.toFixed(3)}:${i}): auid=4294967295 uid=1000 gid=1000 ses=4294967295 subj=cri-containerd.apparmor.d pid=${pid} comm="${exe.split('/').pop()!.slice(0, 15)}" exe="${exe}" sig=31 arch=c000003e syscall=${nr} compat=0 ip=0x7f31a2b4c5d6 code=0x80000000`,
  };
}

describe('hardening: bytes per stored event', () => {
  let t: TestApp;
  let client: pg.Client;

  beforeAll(async () => {
    t = await startTestApp();
    client = new pg.Client({ connectionString: t.databaseUrl });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await t?.close();
  });

  it(
    `stores ${EVENTS} realistic events through ingest at under 4 KiB each, rollups and indexes included`,
    async () => {
      const ingest = await t.tokenFor('ingest');
      // Spread over the last 20 hours: today's and yesterday's partitions, many rollup buckets.
      const startMs = Date.now() - 20 * 3_600_000;
      const step = Math.max(1, Math.floor((20 * 3_600_000) / EVENTS / 37));
      let accepted = 0;
      const started = Date.now();
      for (let b = 0; b < EVENTS; b += BATCH) {
        const lines: string[] = [];
        for (let i = b; i < Math.min(EVENTS, b + BATCH); i++)
          lines.push(JSON.stringify(realistic(i * step, startMs)));
        const r = await t.request
          .post('/v1/ingest/events')
          .set('authorization', `Bearer ${ingest}`)
          .set('content-type', 'application/x-ndjson')
          .send(lines.join('\n'));
        expect(r.status).toBe(202);
        accepted += r.body.accepted as number;
      }
      const ingestMs = Date.now() - started;
      expect(accepted).toBe(EVENTS);
      // The rollup as it settles: the deltas of the batches folded into the tiers.
      await foldRollupDeltas(client);
      await client.query('VACUUM ANALYZE');
      const { rows } = await client.query<{ relname: string; bytes: string; rows: string }>(
        `SELECT c.relname, pg_total_relation_size(c.oid) AS bytes, c.reltuples::bigint AS rows
         FROM pg_class c
         WHERE c.relkind = 'r' AND (c.relname LIKE 'violations_p%' OR c.relname LIKE 'violation_counts%')`,
      );
      const violationBytes = rows
        .filter((r) => r.relname.startsWith('violations_p'))
        .reduce((s, r) => s + Number(r.bytes), 0);
      const rollupBytes = rows
        .filter((r) => r.relname.startsWith('violation_counts'))
        .reduce((s, r) => s + Number(r.bytes), 0);
      const perEvent = (violationBytes + rollupBytes) / EVENTS;
      console.log(
        JSON.stringify({
          events: EVENTS,
          violationBytes,
          rollupBytes,
          bytesPerEvent: Math.round(perEvent),
          violationBytesPerEvent: Math.round(violationBytes / EVENTS),
          ingestMs,
          eventsPerSecond: Math.round((EVENTS / ingestMs) * 1000),
          cpus: os.cpus().length,
          cpu: os.cpus()[0]?.model,
          tables: rows.map((r) => `${r.relname}=${r.bytes}`),
        }),
      );
      expect(perEvent).toBeGreaterThan(200);
      // Small runs carry the fixed cost of empty partitions and index roots: a ceiling, not the figure.
      expect(perEvent).toBeLessThan(4096);
    },
    Math.max(120_000, EVENTS * 2),
  );
});
