import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fleet policy management: policies and their immutable versions, assignments of a version to
 * hosts by selector with a staged rollout, and what each host reports it applied.
 */
export class CreatePolicies1796000000000 implements MigrationInterface {
  name = 'CreatePolicies1796000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE policies (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        name text NOT NULL,
        description text,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        CONSTRAINT policies_pkey PRIMARY KEY (id),
        CONSTRAINT policies_name_key UNIQUE (name),
        CONSTRAINT policies_name_check CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$')
      )`);
    await queryRunner.query(`
      CREATE TABLE policy_versions (
        policy_id uuid NOT NULL,
        version int NOT NULL,
        profile jsonb NOT NULL,
        sha256 text NOT NULL,
        author text NOT NULL,
        message text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT policy_versions_pkey PRIMARY KEY (policy_id, version),
        CONSTRAINT policy_versions_policy_id_fkey FOREIGN KEY (policy_id) REFERENCES policies (id) ON DELETE CASCADE,
        CONSTRAINT policy_versions_version_check CHECK (version >= 1)
      )`);
    await queryRunner.query(`
      CREATE TABLE assignments (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        policy_id uuid NOT NULL,
        version int NOT NULL,
        previous_version int,
        selector jsonb NOT NULL DEFAULT '{}',
        mode text NOT NULL,
        stage text NOT NULL,
        canary_host_ids uuid[] NOT NULL DEFAULT '{}',
        soak_seconds int,
        stage_started_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT assignments_pkey PRIMARY KEY (id),
        CONSTRAINT assignments_policy_version_fkey FOREIGN KEY (policy_id, version)
          REFERENCES policy_versions (policy_id, version) ON DELETE RESTRICT,
        CONSTRAINT assignments_mode_check CHECK (mode IN ('enforce', 'log')),
        CONSTRAINT assignments_stage_check CHECK (stage IN ('canary', 'complete', 'rolled_back'))
      )`);
    await queryRunner.query(`CREATE INDEX assignments_policy_id_idx ON assignments (policy_id)`);
    await queryRunner.query(`
      CREATE TABLE host_policy_status (
        host_id uuid NOT NULL,
        policy text NOT NULL,
        sha256 text,
        path text,
        error text,
        reported_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT host_policy_status_pkey PRIMARY KEY (host_id, policy),
        CONSTRAINT host_policy_status_host_id_fkey FOREIGN KEY (host_id) REFERENCES hosts (id) ON DELETE CASCADE
      )`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE host_policy_status`);
    await queryRunner.query(`DROP TABLE assignments`);
    await queryRunner.query(`DROP TABLE policy_versions`);
    await queryRunner.query(`DROP TABLE policies`);
  }
}
