import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database.js';
import { createViolationSchema } from '../../../../test/fixtures/ingest/violation-schema.js';
import { PartitionMaintenance } from './partition-maintenance.service.js';
import { PartitionRepository, partitionName } from './partition.repository.js';

const DAY = 86_400_000;

describe('PartitionMaintenance', () => {
  let db: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    await createViolationSchema(db.url);
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('creates yesterday to three days ahead, is idempotent, and drops partitions past retention', async () => {
    const repo = new PartitionRepository(pool);
    const now = Date.UTC(2026, 10, 29, 5, 0);
    const today = Date.UTC(2026, 10, 29);
    const maintenance = new PartitionMaintenance(repo, { retentionDays: 2, rollupRetentionDays: 5 });
    const first = await maintenance.run(now);
    expect(first.created).toEqual([-1, 0, 1, 2, 3].map((k) => today + k * DAY));
    expect([...(await repo.listDays())].sort()).toEqual(first.created);
    expect((await maintenance.run(now)).created).toEqual([]);

    await pool.query(
      `INSERT INTO violation_counts VALUES ('2026-11-20T00:00Z', gen_random_uuid(), 'log', '', '', '', 'kmsg', 3),
                                          ('2026-11-28T00:00Z', gen_random_uuid(), 'log', '', '', '', 'kmsg', 3)`,
    );
    // Two days later with a 2-day retention, yesterday's and today's partitions of then go.
    const later = await maintenance.run(now + 3 * DAY);
    expect(later.dropped).toEqual([partitionName(today - DAY), partitionName(today)]);
    expect(later.rollupRowsPruned).toBe(1);
    const { rows } = await pool.query(`SELECT to_regclass('${partitionName(today)}') AS t`);
    expect(rows[0].t).toBeNull();
  });

  it('serialises concurrent creators of the same day', async () => {
    const a = new PartitionMaintenance(new PartitionRepository(pool), {
      retentionDays: 30,
      rollupRetentionDays: 30,
    });
    const b = new PartitionMaintenance(new PartitionRepository(pool), {
      retentionDays: 30,
      rollupRetentionDays: 30,
    });
    const day = Date.UTC(2026, 11, 25);
    await Promise.all([a.ensureDays([day]), b.ensureDays([day]), a.ensureDays([day + DAY])]);
    const days = await new PartitionRepository(pool).listDays();
    expect(days.has(day) && days.has(day + DAY)).toBe(true);
  });

  it('analyzes a partition once it holds rows and was never analyzed, and leaves it to autovacuum after', async () => {
    const repo = new PartitionRepository(pool);
    const day = Date.UTC(2026, 10, 29);
    const maintenance = new PartitionMaintenance(repo, { retentionDays: 400, rollupRetentionDays: 400 });
    await maintenance.ensureDays([day]);
    const name = partitionName(day);
    await pool.query(`ALTER TABLE ${name} SET (autovacuum_enabled = false)`);
    const statsRows = async () =>
      Number((await pool.query('SELECT count(*) AS n FROM pg_stats WHERE tablename = $1', [name])).rows[0].n);
    expect(await maintenance.analyzeNewPartitions()).not.toContain(name); // empty
    const host = (await pool.query(`INSERT INTO hosts (name) VALUES ('analyze-host') RETURNING id`)).rows[0]
      .id;
    await pool.query(
      `INSERT INTO violations (observed_at, host_id, event_key, source, kind, action, blocked)
       SELECT timestamptz '2026-11-29T01:00Z' + i * interval '1 ms', $1, 'k' || i, 'kmsg', 'seccomp', 'errno', true
       FROM generate_series(1, 1500) i`,
      [host],
    );
    expect(await statsRows()).toBe(0);
    // pg_stat_user_tables is updated once the writing session reports (within about a second).
    let analyzed: string[] = [];
    for (let i = 0; i < 40 && !analyzed.includes(name); i++) {
      analyzed = await maintenance.analyzeNewPartitions();
      if (!analyzed.includes(name)) await new Promise((r) => setTimeout(r, 100));
    }
    expect(analyzed).toContain(name);
    expect(await statsRows()).toBeGreaterThan(0);
    expect(await maintenance.analyzeNewPartitions()).not.toContain(name); // analyzed once
  });
});
