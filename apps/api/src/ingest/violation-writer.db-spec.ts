import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecurityEvent } from '@sandtrap/events';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database.js';
import { createViolationSchema } from '../../../../test/fixtures/ingest/violation-schema.js';
import { PartitionMaintenance } from '../partitions/partition-maintenance.service.js';
import { PartitionRepository } from '../partitions/partition.repository.js';
import { dayStartOf, parseObservedAt } from './observed-at.js';
import { violationIdentity, type ViolationRow } from './violation-row.js';
import { ViolationWriterRepository } from './violation-writer.repository.js';

const NASTY = `'; DROP TABLE violations; -- "quoted" \\ back $1 %s {}[] ünïcödé 🚀`;

function event(i: number, observedAt: string): SecurityEvent {
  return {
    eventKey: `boot:${i}`,
    observedAt,
    host: 'web-1',
    source: 'kmsg',
    kind: 'seccomp',
    action: i % 2 ? 'errno' : 'kill_process',
    blocked: true,
    syscall: { arch: 'x86_64', nr: 101, name: 'ptrace', compat: false },
    process: { pid: 4000 + i, uid: 4294967295, comm: NASTY, exe: '/usr/bin/x' },
    details: { note: NASTY },
    raw: NASTY,
  };
}

describe('ViolationWriterRepository', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let writer: ViolationWriterRepository;
  let partitions: PartitionMaintenance;

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

  async function rowsFor(events: SecurityEvent[]): Promise<ViolationRow[]> {
    const hosts = await writer.upsertHosts(events.map((e) => e.host));
    const rows = events.map((e) => ({
      hostId: hosts.get(e.host)!,
      micros: parseObservedAt(e.observedAt)!,
      event: e,
    }));
    await partitions.ensureDays(rows.map((r) => dayStartOf(r.micros) / 1000));
    return rows;
  }

  it('stores a batch once, keeps microseconds and strings verbatim, and counts it in the rollup', async () => {
    const events = [0, 1, 2].map((i) => event(i, `2026-11-28T10:00:0${i}.00000${i + 1}Z`));
    const rows = await rowsFor(events);
    const first = await writer.storeBatch(rows);
    expect(first.size).toBe(3);
    expect(first.has(violationIdentity(rows[2].hostId, 'boot:2', rows[2].micros))).toBe(true);

    const again = await writer.storeBatch(rows);
    expect(again.size).toBe(0);

    const { rows: stored } = await pool.query(
      `SELECT comm, raw, details->>'note' AS note, uid, to_char(observed_at AT TIME ZONE 'UTC', 'SS.US') AS t
       FROM violations ORDER BY observed_at`,
    );
    expect(stored.map((r) => r.t)).toEqual(['00.000001', '01.000002', '02.000003']);
    expect(stored[0].comm).toBe(NASTY);
    expect(stored[0].raw).toBe(NASTY);
    expect(stored[0].note).toBe(NASTY);
    expect(stored[0].uid).toBe('4294967295');

    const { rows: counts } = await pool.query(
      `SELECT action, sum(count)::int AS n FROM violation_counts GROUP BY action ORDER BY action`,
    );
    expect(counts).toEqual([
      { action: 'errno', n: 1 },
      { action: 'kill_process', n: 2 },
    ]);
  });

  it('writes nothing when one row of the batch fails', async () => {
    const before = await pool.query('SELECT count(*)::int AS n FROM violations');
    const good = await rowsFor([event(10, '2026-11-28T11:00:00Z')]);
    // No partition holds this day: the whole statement must fail, including the good row.
    const orphan: ViolationRow = { ...good[0], micros: Date.UTC(2020, 0, 1) * 1000, event: event(11, 'x') };
    await expect(writer.storeBatch([...good, orphan])).rejects.toThrow(/partition/);
    const after = await pool.query('SELECT count(*)::int AS n FROM violations');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('creates hosts on first sight and answers their ids', async () => {
    const a = await writer.upsertHosts(['db-1', 'db-2', 'db-1']);
    const b = await writer.upsertHosts(['db-2']);
    expect(a.size).toBe(2);
    expect(b.get('db-2')).toBe(a.get('db-2'));
  });
});
