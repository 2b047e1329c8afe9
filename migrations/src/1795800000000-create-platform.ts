import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The platform tables: hosts of the fleet, API tokens (hashed) and the audit log of changes. */
export class CreatePlatform1795800000000 implements MigrationInterface {
  name = 'CreatePlatform1795800000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE hosts (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        name text NOT NULL,
        labels jsonb NOT NULL DEFAULT '{}',
        boot_id text,
        kernel text,
        arch text,
        agent_version text,
        first_seen timestamptz NOT NULL DEFAULT now(),
        last_seen timestamptz NOT NULL DEFAULT now(),
        last_heartbeat timestamptz,
        health jsonb,
        CONSTRAINT hosts_pkey PRIMARY KEY (id),
        CONSTRAINT hosts_name_key UNIQUE (name),
        CONSTRAINT hosts_labels_object_check CHECK (jsonb_typeof(labels) = 'object')
      )`);
    await queryRunner.query(`CREATE INDEX hosts_labels_idx ON hosts USING gin (labels jsonb_path_ops)`);

    await queryRunner.query(`
      CREATE TABLE tokens (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        name text NOT NULL,
        role text NOT NULL,
        host_id uuid,
        secret_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        last_used_at timestamptz,
        created_by text,
        CONSTRAINT tokens_pkey PRIMARY KEY (id),
        CONSTRAINT tokens_role_check CHECK (role IN ('viewer', 'ingest', 'operator', 'admin', 'agent')),
        CONSTRAINT tokens_agent_host_check CHECK ((role = 'agent') = (host_id IS NOT NULL)),
        CONSTRAINT tokens_host_id_fkey FOREIGN KEY (host_id) REFERENCES hosts (id) ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE INDEX tokens_host_id_idx ON tokens (host_id) WHERE host_id IS NOT NULL`);

    await queryRunner.query(`
      CREATE TABLE audit_log (
        id bigserial NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        actor text NOT NULL,
        action text NOT NULL,
        target_type text NOT NULL,
        target_id text,
        before jsonb,
        after jsonb,
        CONSTRAINT audit_log_pkey PRIMARY KEY (id)
      )`);
    await queryRunner.query(`CREATE INDEX audit_log_at_id_idx ON audit_log (at DESC, id DESC)`);
    await queryRunner.query(`CREATE INDEX audit_log_target_idx ON audit_log (target_type, target_id)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE audit_log`);
    await queryRunner.query(`DROP TABLE tokens`);
    await queryRunner.query(`DROP TABLE hosts`);
  }
}
