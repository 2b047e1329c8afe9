import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retiring a decommissioned host (DELETE /v1/hosts/{id}) keeps its row and stored violations but
 * marks it: left out of the default host list and of the fleet's silent-host gauges.
 */
export class AddHostRetirement1796300000000 implements MigrationInterface {
  name = 'AddHostRetirement1796300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE hosts ADD COLUMN retired_at timestamptz, ADD COLUMN retired_by text`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE hosts DROP COLUMN retired_by, DROP COLUMN retired_at`);
  }
}
