import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecurityEvent } from '@sandtrap/events';
import { CreateRollupDeltas1796500000000 } from '../../../../migrations/src/1796500000000-create-rollup-deltas.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database.js';
import { createViolationSchema } from '../../../../test/fixtures/ingest/violation-schema.js';
import { rollupTiersDisagreeing } from '../../../../test/support/rollup-check.js';
import { PartitionMaintenance } from '../partitions/partition-maintenance.service.js';
import { PartitionRepository } from '../partitions/partition.repository.js';
import { dayStartOf, parseObservedAt } from './observed-at.js';
import { DELTA_TABLE, foldRollupDeltas } from './rollup-deltas.js';
import { COPY_MIN_EVENTS, ViolationWriterRepository } from './violation-writer.repository.js';

const START = Date.UTC(2026, 10, 28, 9, 58);
const ACTIONS = ['kill_process', 'errno', 'log'] as const;

/** Batch `b`'s `n` events: a few hosts, exes and containers, over the minutes around 10:00. */
function batch(b: number, n: number): SecurityEvent[] {
  return Array.from({ length: n }, (_, k) => {
    const i = b * 100_000 + k;
    return {
      eventKey: `fold:${b}:${k}`,
      observedAt: new Date(START + ((i * 37) % 300_000)).toISOString(),
      host: `fold-${i % 4}`,
      source: 'kmsg',
      kind: 'seccomp',
      action: ACTIONS[i % 3],
      blocked: i % 3 !== 2,
      syscall: { arch: 'x86_64', nr: 101, name: 'ptrace' },
      process: { exe: `/usr/bin/a${i % 5}` },
      ...(i % 2 ? { container: { id: `c${i % 3}` } } : {}),
    };
  });
}

describe('rollup deltas', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let writer: ViolationWriterRepository;
  const hosts = new Map<string, string>();
  const pending = async () =>
    Number((await pool.query(`SELECT count(*) AS n FROM ${DELTA_TABLE}`)).rows[0].n);
  const total = async (table: string) =>
    Number((await pool.query(`SELECT coalesce(sum(count), 0) AS n FROM ${table}`)).rows[0].n);

  beforeAll(async () => {
    db = await createTestDatabase();
    await createViolationSchema(db.url);
    pool = new pg.Pool({ connectionString: db.url, max: 8 });
    writer = new ViolationWriterRepository(pool);
    await new PartitionMaintenance(new PartitionRepository(pool), {
      retentionDays: 30,
      rollupRetentionDays: 400,
    }).ensureDays([dayStartOf(START * 1000) / 1000]);
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  async function store(list: SecurityEvent[]): Promise<void> {
    const result = await writer.storeBatch(
      list.map((e) => ({ micros: parseObservedAt(e.observedAt)!, event: e })),
      hosts,
    );
    for (const [name, id] of result.hostIds) hosts.set(name, id);
  }

  it('counts every batch once while batches are stored and several folds run at once', async () => {
    await store(batch(0, 10)); // the hosts, so that the batches below go without creating them
    // Small batches (one statement) and COPY ones, stored while three folders fold in a loop.
    const sizes = Array.from({ length: 24 }, (_, b) => (b % 4 === 0 ? COPY_MIN_EVENTS + b : 40 + b));
    let storing = true;
    const folder = async () => {
      let folded = 0;
      while (storing) folded += (await foldRollupDeltas(pool)).events;
      return folded;
    };
    const folders = [folder(), folder(), folder()];
    await Promise.all(sizes.map((n, b) => store(batch(b + 1, n))));
    storing = false;
    const foldedWhileStoring = (await Promise.all(folders)).reduce((a, b) => a + b, 0);
    const last = await foldRollupDeltas(pool);

    const stored = 10 + sizes.reduce((a, b) => a + b, 0);
    expect(Number((await pool.query('SELECT count(*) AS n FROM violations')).rows[0].n)).toBe(stored);
    expect(foldedWhileStoring + last.events).toBe(stored);
    expect(await pending()).toBe(0);
    expect(await rollupTiersDisagreeing(pool)).toEqual([]);
    // Nothing left: a fold finds nothing to do.
    expect(await foldRollupDeltas(pool)).toEqual({ rows: 0, events: 0 });
  });

  it('refuses a delta whose arrays differ in length, naming the constraint, and keeps the others', async () => {
    const before = await pending();
    await expect(
      pool.query(
        `INSERT INTO ${DELTA_TABLE} VALUES ('{1,2}', $1, '{log,log}', '{"",""}', '{"",""}', '{"",""}', '{kmsg,kmsg}', '{1}')`,
        [[hosts.get('fold-0'), hosts.get('fold-1')]],
      ),
    ).rejects.toMatchObject({ code: '23514', constraint: 'violation_rollup_deltas_same_length' });
    expect(await pending()).toBe(before);
  });

  it('refuses a delta with a NULL in any of its arrays, naming the constraint, and folds on', async () => {
    const host = hosts.get('fold-0');
    const values = ['{1}', `{${host}}`, '{log}', '{""}', '{""}', '{""}', '{kmsg}', '{1}'];
    for (let k = 0; k < values.length; k++) {
      const row = values.map((v, j) => (j === k ? '{NULL}' : v));
      await expect(
        pool.query(`INSERT INTO ${DELTA_TABLE} VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, row),
        `a NULL in array ${k}`,
      ).rejects.toMatchObject({ code: '23514', constraint: 'violation_rollup_deltas_no_nulls' });
    }
    // Nothing of them stays; a batch stored after them folds.
    expect(await pending()).toBe(0);
    await store(batch(91, 10));
    expect(await pending()).toBe(1);
    await foldRollupDeltas(pool);
    expect(await pending()).toBe(0);
  });

  it('folds what is pending into the tiers when the migration is undone, then starts empty again', async () => {
    await store(batch(90, 70));
    expect(await pending()).toBe(1);
    const stored = Number((await pool.query('SELECT count(*) AS n FROM violations')).rows[0].n);
    const client = await pool.connect();
    try {
      const runner = { query: (sql: string) => client.query(sql) };
      const migration = new CreateRollupDeltas1796500000000();
      await client.query('BEGIN');
      await migration.down(runner as never);
      await client.query('COMMIT');
      expect(await rollupTiersDisagreeing(client)).toEqual([]);
      expect(await total('violation_actions_5m')).toBe(stored);
      await migration.up(runner as never);
    } finally {
      client.release();
    }
    expect(await pending()).toBe(0);
  });
});
