import type { MigrationInterface, QueryRunner } from 'typeorm';

// The delta table's arrays as this migration found them.
const ARRAYS = [
  'minutes',
  'host_ids',
  'actions',
  'syscall_names',
  'exes',
  'container_ids',
  'sources',
  'counts',
];

/**
 * A rollup delta row may not hold a NULL in any of its arrays. The tiers' keys and counts are
 * NOT NULL, so such a row could never be folded: every fold would fail on it, and the rows after
 * it would wait forever. Refused where it is written instead, the batch that carries it fails
 * (the sender keeps it and resends; ingest's failure alert fires) and the folds go on. Only a bug
 * of the service could write one; no released version did.
 */
export class ForbidRollupDeltaNulls1796600000000 implements MigrationInterface {
  name = 'ForbidRollupDeltaNulls1796600000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const noNull = ARRAYS.map((a) => `array_position(${a}, NULL) IS NULL`).join(' AND ');
    await queryRunner.query(
      `ALTER TABLE violation_rollup_deltas ADD CONSTRAINT violation_rollup_deltas_no_nulls CHECK (${noNull})`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE violation_rollup_deltas DROP CONSTRAINT violation_rollup_deltas_no_nulls`,
    );
  }
}
