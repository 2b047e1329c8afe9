import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alert rules evaluated on ingest (match + threshold over a window) and the webhook deliveries
 * they made; one delivery per rule and window bucket, which is how alerts are deduplicated.
 */
export class CreateAlertRules1796100000000 implements MigrationInterface {
  name = 'CreateAlertRules1796100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE alert_rules (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        name text NOT NULL,
        match jsonb NOT NULL DEFAULT '{}',
        threshold int NOT NULL,
        window_seconds int NOT NULL,
        webhook_url text NOT NULL,
        webhook_format text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        CONSTRAINT alert_rules_pkey PRIMARY KEY (id),
        CONSTRAINT alert_rules_name_key UNIQUE (name),
        CONSTRAINT alert_rules_threshold_check CHECK (threshold >= 1),
        CONSTRAINT alert_rules_window_seconds_check CHECK (window_seconds BETWEEN 10 AND 86400),
        CONSTRAINT alert_rules_webhook_format_check CHECK (webhook_format IN ('generic', 'slack', 'alertmanager'))
      )`);
    await queryRunner.query(`
      CREATE TABLE alert_deliveries (
        id bigserial NOT NULL,
        rule_id uuid NOT NULL,
        dedup_key text NOT NULL,
        status text NOT NULL,
        attempts int NOT NULL DEFAULT 0,
        event_count bigint NOT NULL,
        payload jsonb NOT NULL,
        response_status int,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        CONSTRAINT alert_deliveries_pkey PRIMARY KEY (id),
        CONSTRAINT alert_deliveries_rule_id_fkey FOREIGN KEY (rule_id) REFERENCES alert_rules (id) ON DELETE CASCADE,
        CONSTRAINT alert_deliveries_rule_id_dedup_key_key UNIQUE (rule_id, dedup_key),
        CONSTRAINT alert_deliveries_status_check CHECK (status IN ('sending', 'delivered', 'failed'))
      )`);
    await queryRunner.query(
      `CREATE INDEX alert_deliveries_rule_id_created_at_idx ON alert_deliveries (rule_id, created_at DESC)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE alert_deliveries`);
    await queryRunner.query(`DROP TABLE alert_rules`);
  }
}
