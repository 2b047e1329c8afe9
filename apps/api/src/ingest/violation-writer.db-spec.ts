import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecurityEvent } from '@sandtrap/events';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database.js';
import { createViolationSchema } from '../../../../test/fixtures/ingest/violation-schema.js';
import { rollupTiersDisagreeing } from '../../../../test/support/rollup-check.js';
import { PartitionMaintenance } from '../partitions/partition-maintenance.service.js';
import { PartitionRepository } from '../partitions/partition.repository.js';
import { decodeSecurityEvents } from './ingest-decoders.js';
import { dayStartOf, parseObservedAt } from './observed-at.js';
import { ScannedEvent } from './scanned-event.js';
import { foldRollupDeltas } from './rollup-deltas.js';
import { ROLLUP_TIERS } from './rollup-tiers.js';
import {
  COPY_MIN_EVENTS,
  ViolationWriterRepository,
  type BatchEvent,
} from './violation-writer.repository.js';

const NASTY = `'; DROP TABLE violations; -- "quoted" \\ back \t tab \n newline \\N $1 %s {}[] ünïcödé 🚀`;

function event(i: number, observedAt: string, host = 'web-1'): SecurityEvent {
  return {
    eventKey: `boot:${i}`,
    observedAt,
    host,
    source: 'kmsg',
    kind: 'seccomp',
    action: i % 2 ? 'errno' : 'kill_process',
    blocked: true,
    syscall: { arch: 'x86_64', nr: 101, name: 'ptrace', compat: false },
    process: { pid: 4000 + i, uid: 4294967295, comm: NASTY, exe: '/usr/bin/x' },
    ...(i % 3 ? { container: { id: `c${i % 5}` } } : {}),
    details: { note: NASTY },
    raw: NASTY,
  };
}

/** `n` events from `first`, one every 7 ms from `startMs`, over `hosts` hosts. */
function events(first: number, n: number, startMs: number, hosts = 3): SecurityEvent[] {
  return Array.from({ length: n }, (_, k) => {
    const i = first + k;
    return event(
      i,
      new Date(startMs + i * 7).toISOString().replace('Z', `${i % 1000}`.padStart(3, '0') + 'Z'),
      `h-${i % hosts}`,
    );
  });
}

describe('ViolationWriterRepository', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let writer: ViolationWriterRepository;
  let partitions: PartitionMaintenance;
  const hosts = new Map<string, string>();

  beforeAll(async () => {
    db = await createTestDatabase();
    await createViolationSchema(db.url);
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    writer = new ViolationWriterRepository(pool);
    partitions = new PartitionMaintenance(new PartitionRepository(pool), {
      retentionDays: 30,
      rollupRetentionDays: 400,
    });
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  async function store(list: SecurityEvent[]): Promise<boolean[]> {
    const batch: BatchEvent[] = list.map((e) => ({ micros: parseObservedAt(e.observedAt)!, event: e }));
    await partitions.ensureDays(batch.map((b) => dayStartOf(b.micros) / 1000));
    const result = await writer.storeBatch(batch, hosts);
    for (const [name, id] of result.hostIds) hosts.set(name, id);
    return result.inserted;
  }
  const count = async (sql: string) => Number((await pool.query(sql)).rows[0].n);
  // The tiers as they are once the deltas the batches appended are folded in.
  const rollupTotals = async () => {
    await foldRollupDeltas(pool);
    const out: number[] = [];
    for (const { table } of ROLLUP_TIERS)
      out.push(await count(`SELECT coalesce(sum(count), 0) AS n FROM ${table}`));
    return out;
  };

  /** The rollup tiers that do not agree with the rows once the deltas are folded. */
  const rollupsDisagreeing = async () => {
    await foldRollupDeltas(pool);
    return rollupTiersDisagreeing(pool);
  };

  it('stores a small batch once, keeps microseconds and strings verbatim, and counts it in every rollup', async () => {
    const list = [0, 1, 2].map((i) => event(i, `2026-11-28T10:00:0${i}.00000${i + 1}Z`));
    expect(await store(list)).toEqual([true, true, true]);
    expect(await store(list)).toEqual([false, false, false]);
    expect(await store([list[1], event(3, '2026-11-28T10:00:03Z')])).toEqual([false, true]);

    const { rows: stored } = await pool.query(
      `SELECT comm, raw, details->>'note' AS note, uid, to_char(observed_at AT TIME ZONE 'UTC', 'SS.US') AS t
       FROM violations ORDER BY observed_at`,
    );
    expect(stored.map((r) => r.t)).toEqual(['00.000001', '01.000002', '02.000003', '03.000000']);
    expect(stored[0].comm).toBe(NASTY);
    expect(stored[0].raw).toBe(NASTY);
    expect(stored[0].note).toBe(NASTY);
    expect(stored[0].uid).toBe('4294967295');

    await foldRollupDeltas(pool);
    const { rows: counts } = await pool.query(
      `SELECT action, sum(count)::int AS n FROM violation_counts GROUP BY action ORDER BY action`,
    );
    expect(counts).toEqual([
      { action: 'errno', n: 2 },
      { action: 'kill_process', n: 2 },
    ]);
    expect(await rollupTotals()).toEqual(ROLLUP_TIERS.map(() => 4));
  });

  it('stores a large batch by COPY, verbatim, and a resend or a half-new batch exactly once', async () => {
    const start = Date.UTC(2026, 10, 28, 12, 59, 50);
    const list = events(100, COPY_MIN_EVENTS + 500, start);
    const before = await count('SELECT count(*) AS n FROM violations');
    const rollupsBefore = await rollupTotals();
    expect((await store(list)).every(Boolean)).toBe(true);
    expect(await count('SELECT count(*) AS n FROM violations')).toBe(before + list.length);
    const { rows } = await pool.query(
      `SELECT comm, raw, container_id, to_char(observed_at AT TIME ZONE 'UTC', 'HH24:MI:SS.US') AS t
       FROM violations WHERE event_key = 'boot:101'`,
    );
    expect(rows).toEqual([{ comm: NASTY, raw: NASTY, container_id: 'c1', t: '12:59:50.707101' }]);

    expect((await store(list)).some(Boolean)).toBe(false);
    // A writer that knows no host (a restart, another replica): the hosts are looked up again in
    // the batch's transaction, its COPY meets the stored rows and the batch is deduplicated.
    const asBatch = (l: SecurityEvent[]): BatchEvent[] =>
      l.map((e) => ({ micros: parseObservedAt(e.observedAt)!, event: e }));
    const again = await writer.storeBatch(asBatch(list), new Map());
    expect(again.inserted.some(Boolean)).toBe(false);
    expect(new Map(again.hostIds)).toEqual(new Map([...hosts].filter(([name]) => name.startsWith('h-'))));
    const more = events(100 + list.length, 600, start);
    const mixed = [...list.slice(-600), ...more];
    const inserted = await store(mixed);
    expect(inserted.filter(Boolean)).toHaveLength(600);
    expect(inserted.slice(600).every(Boolean)).toBe(true);

    const total = before + list.length + more.length;
    expect(await count('SELECT count(*) AS n FROM violations')).toBe(total);
    expect(await rollupTotals()).toEqual(rollupsBefore.map((n) => n + list.length + more.length));
    expect(await rollupsDisagreeing()).toEqual([]);
  });

  it('stores scanned lines by binary COPY exactly as the ordinary path stores the same events', async () => {
    // Every kind of value the scanner writes: escapes, details, absent and present sub-objects,
    // both booleans, integers at their limits.
    const line = (i: number, key: string) =>
      JSON.stringify({
        eventKey: key,
        observedAt: new Date(Date.UTC(2026, 10, 28, 14) + i).toISOString().replace('Z', '123Z'),
        host: `h-${i % 3}`,
        bootId: 'b"t\\',
        source: 'falco',
        kind: 'runtime',
        action: i % 2 ? 'log' : 'kill_process',
        ...(i % 4 === 0 ? {} : { blocked: i % 2 === 0 }),
        process: {
          pid: 2147483647,
          uid: 4294967295,
          gid: i,
          comm: 'c\t\n\r\b\f/\\N',
          ...(i % 3 ? { exe: '/usr/bin/x' } : {}),
        },
        ...(i % 5 === 0 ? {} : { container: { id: `c${i % 5}`, pod: "p'; DROP TABLE x; --" } }),
        syscall: { arch: 'x86_64', nr: i % 2 ? 0 : 2147483647, name: 'ptrace', compat: i % 2 === 0 },
        errno: { nr: 4095, name: 'E' },
        signal: { nr: 128, name: 'S' },
        details: { note: 'q"\\\n', n: [-1, 0, 123456789012345], nested: { t: true, f: false, z: null } },
        raw: 'raw \\N\ttab',
      });
    const n = COPY_MIN_EVENTS + 10;
    const body = (prefix: string) =>
      Buffer.from(Array.from({ length: n }, (_, i) => line(i, `${prefix}:${i}`)).join('\n'));
    const scanned = decodeSecurityEvents(body('scanned'), true);
    const ordinary = decodeSecurityEvents(body('ordinary'), false);
    expect(scanned.candidates.every((c) => c.event instanceof ScannedEvent)).toBe(true);
    await store(ordinary.candidates.map((c) => c.event as SecurityEvent));
    const batch = scanned.candidates.map((c) => c.event as ScannedEvent);
    expect((await writer.storeBatch(batch, hosts)).inserted.every(Boolean)).toBe(true);

    const rows = async (prefix: string) =>
      (
        await pool.query(
          `SELECT to_jsonb(v) - 'event_key' - 'ingested_at' AS r FROM violations v
           WHERE event_key LIKE $1 ORDER BY observed_at, host_id`,
          [`${prefix}:%`],
        )
      ).rows.map((r) => r.r);
    const fromScanner = await rows('scanned');
    expect(fromScanner).toHaveLength(n);
    expect(fromScanner).toEqual(await rows('ordinary'));
    expect(fromScanner[1]).toMatchObject({
      boot_id: 'b"t\\',
      comm: 'c\t\n\r\b\f/\\N',
      pid: 2147483647,
      uid: 4294967295,
      syscall_nr: 0,
      syscall_compat: false,
      blocked: false,
      details: { note: 'q"\\\n', n: [-1, 0, 123456789012345], nested: { t: true, f: false, z: null } },
      raw: 'raw \\N\ttab',
    });
  });

  it('counts a COPY batch in every rollup tier whatever its exe and container id hold', async () => {
    const odd = ['say "hi"', 'back\\slash', '{a,b}', 'NULL', '', ' spaced ', 'ünï 🚀', "'; DROP TABLE x; --"];
    const list = events(50_000, COPY_MIN_EVENTS, Date.UTC(2026, 10, 28, 16)).map((e, i) => ({
      ...e,
      process: { ...e.process, exe: odd[i % odd.length] },
      container: { id: odd[(i >> 3) % odd.length] },
    }));
    expect((await store(list)).every(Boolean)).toBe(true);
    expect(await rollupsDisagreeing()).toEqual([]);
    const { rows } = await pool.query(
      `SELECT DISTINCT exe FROM violation_counts_1h WHERE minute = $1 ORDER BY exe`,
      [new Date(Date.UTC(2026, 10, 28, 16))],
    );
    expect(rows.map((r) => r.exe)).toEqual([...odd].sort());
  });

  it('writes nothing when one row of a batch fails, small or large', async () => {
    for (const n of [1, COPY_MIN_EVENTS]) {
      const before = await count('SELECT count(*) AS n FROM violations');
      const rollupsBefore = await rollupTotals();
      const good = events(10_000 * n, n, Date.UTC(2026, 10, 28, 11));
      await store([good[0]]); // knows the hosts, so that the large batch takes the COPY path
      // No partition holds this day: the whole batch must fail, including the good rows.
      const orphan: BatchEvent = { micros: Date.UTC(2020, 0, 1) * 1000, event: event(11, 'x', 'h-0') };
      const batch = good.slice(1).map((e) => ({ micros: parseObservedAt(e.observedAt)!, event: e }));
      await expect(writer.storeBatch([...batch, orphan], hosts)).rejects.toThrow(/partition/);
      expect(await count('SELECT count(*) AS n FROM violations')).toBe(before + 1);
      expect(await rollupTotals()).toEqual(rollupsBefore.map((r) => r + 1));
    }
  });

  it('creates a new host only with its batch: a failed batch leaves no host behind', async () => {
    const orphan: BatchEvent = { micros: Date.UTC(2020, 0, 1) * 1000, event: event(1, 'x', 'never-stored') };
    await expect(writer.storeBatch([orphan], hosts)).rejects.toThrow(/partition/);
    expect(await count(`SELECT count(*) AS n FROM hosts WHERE name = 'never-stored'`)).toBe(0);

    const fresh = event(2, '2026-11-28T10:30:00Z', 'db-1');
    expect(await store([fresh])).toEqual([true]);
    const id = hosts.get('db-1');
    expect((await pool.query(`SELECT id FROM hosts WHERE name = 'db-1'`)).rows).toEqual([{ id }]);
    expect(await writer.touchHosts([id!, '00000000-0000-4000-8000-000000000000'])).toEqual(new Set([id]));
  });
});
