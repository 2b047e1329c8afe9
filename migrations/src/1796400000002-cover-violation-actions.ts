import type { MigrationInterface, QueryRunner } from 'typeorm';

const TABLES = ['violation_actions_1m', 'violation_actions_5m', 'violation_actions_1h'] as const;

/**
 * The indexes of the narrow rollup tiers carry the action and count, so that a series is an
 * index-only scan. Measured on 10,000,000 rows: a day of 1-minute buckets for one host went from
 * 75 to 20 ms and a day of 5-minute buckets for the fleet from 136 to 24 ms, the heap visits
 * (one row per page, scattered) being the cost.
 */
export class CoverViolationActions1796400000002 implements MigrationInterface {
  name = 'CoverViolationActions1796400000002';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const t of TABLES) {
      await queryRunner.query(
        `ALTER TABLE ${t} DROP CONSTRAINT ${t}_pkey,
           ADD CONSTRAINT ${t}_pkey PRIMARY KEY (host_id, minute, action) INCLUDE (count)`,
      );
      await queryRunner.query(`DROP INDEX ${t}_minute_idx`);
      await queryRunner.query(`CREATE INDEX ${t}_minute_idx ON ${t} (minute) INCLUDE (action, count)`);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const t of TABLES) {
      await queryRunner.query(
        `ALTER TABLE ${t} DROP CONSTRAINT ${t}_pkey, ADD CONSTRAINT ${t}_pkey PRIMARY KEY (host_id, minute, action)`,
      );
      await queryRunner.query(`DROP INDEX ${t}_minute_idx`);
      await queryRunner.query(`CREATE INDEX ${t}_minute_idx ON ${t} (minute)`);
    }
  }
}
