import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The rollup tables (`minute` is the start of their bucket) and their primary keys. */
const ROLLUPS = [
  ['violation_counts', 'violation_counts_pkey'],
  ['violation_counts_5m', 'violation_counts_5m_pkey'],
  ['violation_counts_1h', 'violation_counts_1h_pkey'],
] as const;

/**
 * Violations, partitioned by UTC day on `observed_at` (partitions are made by the API's partition
 * maintenance, not here, because they depend on the date), and the per-minute rollup kept current
 * by ingest. Needs `hosts` (the platform's first migration).
 */
export class CreateViolations1795900000000 implements MigrationInterface {
  name = 'CreateViolations1795900000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE violations (
        host_id uuid NOT NULL,
        event_key text NOT NULL,
        observed_at timestamptz NOT NULL,
        ingested_at timestamptz NOT NULL DEFAULT now(),
        source text NOT NULL,
        kind text NOT NULL,
        action text NOT NULL,
        blocked boolean NOT NULL,
        syscall_arch text,
        syscall_nr int,
        syscall_name text,
        syscall_compat boolean,
        pid int,
        tid int,
        ppid int,
        uid bigint,
        gid bigint,
        auid bigint,
        ses bigint,
        comm text,
        exe text,
        cmdline text,
        container_id text,
        container_name text,
        container_image text,
        pod text,
        namespace text,
        errno int,
        errno_name text,
        signal int,
        signal_name text,
        policy text,
        rule text,
        severity text,
        boot_id text,
        details jsonb,
        raw text,
        CONSTRAINT violations_host_key_observed_key UNIQUE (host_id, event_key, observed_at)
      ) PARTITION BY RANGE (observed_at)`);
    // Keyset order of GET /v1/violations is (observed_at, host_id, event_key) descending; with one
    // host it is (observed_at, event_key) within that host.
    await queryRunner.query(
      `CREATE INDEX violations_observed_host_key_idx ON violations (observed_at, host_id, event_key)`,
    );
    await queryRunner.query(
      `CREATE INDEX violations_host_observed_key_idx ON violations (host_id, observed_at, event_key)`,
    );
    await queryRunner.query(
      `CREATE INDEX violations_syscall_observed_idx ON violations (syscall_name, observed_at)`,
    );
    await queryRunner.query(
      `CREATE INDEX violations_container_observed_idx ON violations (container_id, observed_at)`,
    );
    // Absent dimensions are stored as '' so that every dimension can be part of the primary key.
    // The same rollup at 5 minutes and 1 hour keeps stats and timeseries over days to a few
    // thousand rows; each is kept current by ingest like the per-minute one.
    for (const [table, key] of ROLLUPS) {
      await queryRunner.query(`
        CREATE TABLE ${table} (
          minute timestamptz NOT NULL,
          host_id uuid NOT NULL,
          action text NOT NULL,
          syscall_name text NOT NULL DEFAULT '',
          exe text NOT NULL DEFAULT '',
          container_id text NOT NULL DEFAULT '',
          source text NOT NULL,
          count bigint NOT NULL,
          CONSTRAINT ${key} PRIMARY KEY (minute, host_id, action, syscall_name, exe, container_id, source)
        )`);
      await queryRunner.query(`CREATE INDEX ${table}_host_minute_idx ON ${table} (host_id, minute)`);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const [table] of ROLLUPS) await queryRunner.query(`DROP TABLE ${table}`);
    await queryRunner.query(`DROP TABLE violations`);
  }
}
