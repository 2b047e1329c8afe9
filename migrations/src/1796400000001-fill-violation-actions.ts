import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The wide tier each narrow tier is summed from. */
const FROM = [
  ['violation_actions_1m', 'violation_counts'],
  ['violation_actions_5m', 'violation_counts_5m'],
  ['violation_actions_1h', 'violation_counts_1h'],
] as const;

/** Backfill of the narrow rollup tiers from the wide ones stored before they existed. */
export class FillViolationActions1796400000001 implements MigrationInterface {
  name = 'FillViolationActions1796400000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const [narrow, wide] of FROM) {
      await queryRunner.query(
        `INSERT INTO ${narrow} (minute, host_id, action, count)
         SELECT minute, host_id, action, sum(count) FROM ${wide} GROUP BY 1, 2, 3
         ON CONFLICT ON CONSTRAINT ${narrow}_pkey DO NOTHING`,
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const [narrow] of FROM) await queryRunner.query(`DELETE FROM ${narrow}`);
  }
}
