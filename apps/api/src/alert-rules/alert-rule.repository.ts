import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../database/pg-pool.js';
import type { AlertEvent, AlertMatch, AlertRule, WebhookFormat } from './alert-rule.js';

export interface NewAlertRule {
  name: string;
  match: AlertMatch;
  threshold: number;
  windowSeconds: number;
  webhookUrl: string;
  webhookFormat: WebhookFormat;
  enabled: boolean;
  createdBy: string;
}

export interface AlertDelivery {
  id: string;
  ruleId: string;
  status: 'sending' | 'delivered' | 'failed';
  attempts: number;
  eventCount: number;
  responseStatus: number | null;
  lastError: string | null;
  payload: unknown;
  createdAt: string;
  finishedAt: string | null;
}

const RULE_COLUMNS = `id, name, match, threshold, window_seconds, webhook_url, webhook_format, enabled,
  created_at, created_by`;

interface RuleRow {
  id: string;
  name: string;
  match: AlertMatch;
  threshold: number;
  window_seconds: number;
  webhook_url: string;
  webhook_format: WebhookFormat;
  enabled: boolean;
  created_at: Date;
  created_by: string;
}

function toRule(r: RuleRow): AlertRule {
  return {
    id: r.id,
    name: r.name,
    match: r.match,
    threshold: r.threshold,
    windowSeconds: r.window_seconds,
    webhookUrl: r.webhook_url,
    webhookFormat: r.webhook_format,
    enabled: r.enabled,
    createdAt: r.created_at.toISOString(),
    createdBy: r.created_by,
  };
}

const orNull = (list: string[] | undefined) => (list && list.length > 0 ? list : null);

/** The rule's match as SQL over violations joined to hosts, with its parameters from $2. */
function matchClause(rule: AlertRule): { where: string; params: unknown[] } {
  return {
    where: `v.observed_at > now() - make_interval(secs => $1)
        AND ($2::text[] IS NULL OR v.action = ANY($2))
        AND ($3::text[] IS NULL OR v.syscall_name = ANY($3))
        AND ($4::text[] IS NULL OR h.name = ANY($4))
        AND ($5::text[] IS NULL OR v.exe = ANY($5))
        AND h.labels @> $6::jsonb`,
    params: [
      rule.windowSeconds,
      orNull(rule.match.actions),
      orNull(rule.match.syscalls),
      orNull(rule.match.hosts),
      orNull(rule.match.exes),
      JSON.stringify(rule.match.hostLabels ?? {}),
    ],
  };
}

@Injectable()
export class AlertRuleRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** Undefined when the name is taken. */
  async create(rule: NewAlertRule): Promise<AlertRule | undefined> {
    const { rows } = await this.pool.query<RuleRow>(
      `INSERT INTO alert_rules (name, match, threshold, window_seconds, webhook_url, webhook_format, enabled, created_by)
       VALUES ($1, $2::jsonb, $3, $4, $5, $6, $7, $8)
       ON CONFLICT ON CONSTRAINT alert_rules_name_key DO NOTHING
       RETURNING ${RULE_COLUMNS}`,
      [
        rule.name,
        JSON.stringify(rule.match),
        rule.threshold,
        rule.windowSeconds,
        rule.webhookUrl,
        rule.webhookFormat,
        rule.enabled,
        rule.createdBy,
      ],
    );
    return rows[0] ? toRule(rows[0]) : undefined;
  }

  async list(onlyEnabled = false): Promise<AlertRule[]> {
    const { rows } = await this.pool.query<RuleRow>(
      `SELECT ${RULE_COLUMNS} FROM alert_rules ${onlyEnabled ? 'WHERE enabled' : ''} ORDER BY name`,
    );
    return rows.map(toRule);
  }

  /** Up to `limit` rules by name, after `afterName` when given. */
  async page(afterName: string | undefined, limit: number): Promise<AlertRule[]> {
    const { rows } = await this.pool.query<RuleRow>(
      `SELECT ${RULE_COLUMNS} FROM alert_rules WHERE $1::text IS NULL OR name > $1 ORDER BY name LIMIT $2`,
      [afterName ?? null, limit],
    );
    return rows.map(toRule);
  }

  async get(id: string): Promise<AlertRule | undefined> {
    const { rows } = await this.pool.query<RuleRow>(`SELECT ${RULE_COLUMNS} FROM alert_rules WHERE id = $1`, [
      id,
    ]);
    return rows[0] ? toRule(rows[0]) : undefined;
  }

  /**
   * Undefined when the rule does not exist; throws Postgres' unique violation (23505) when the
   * new name is taken.
   */
  async update(
    id: string,
    changes: Partial<Omit<NewAlertRule, 'createdBy'>>,
  ): Promise<AlertRule | undefined> {
    const columns: Array<[string, unknown, string]> = [
      ['name', changes.name, ''],
      ['match', changes.match === undefined ? undefined : JSON.stringify(changes.match), '::jsonb'],
      ['threshold', changes.threshold, ''],
      ['window_seconds', changes.windowSeconds, ''],
      ['webhook_url', changes.webhookUrl, ''],
      ['webhook_format', changes.webhookFormat, ''],
      ['enabled', changes.enabled, ''],
    ];
    const set = columns.filter(([, v]) => v !== undefined);
    if (set.length === 0) return this.get(id);
    const { rows } = await this.pool.query<RuleRow>(
      `UPDATE alert_rules SET ${set.map(([c, , cast], i) => `${c} = $${i + 2}${cast}`).join(', ')}
        WHERE id = $1 RETURNING ${RULE_COLUMNS}`,
      [id, ...set.map(([, v]) => v)],
    );
    return rows[0] ? toRule(rows[0]) : undefined;
  }

  async delete(id: string): Promise<AlertRule | undefined> {
    const { rows } = await this.pool.query<RuleRow>(
      `DELETE FROM alert_rules WHERE id = $1 RETURNING ${RULE_COLUMNS}`,
      [id],
    );
    return rows[0] ? toRule(rows[0]) : undefined;
  }

  async countMatching(rule: AlertRule): Promise<number> {
    const { where, params } = matchClause(rule);
    const { rows } = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM violations v JOIN hosts h ON h.id = v.host_id WHERE ${where}`,
      params,
    );
    return Number(rows[0]?.n ?? 0);
  }

  async latestMatching(rule: AlertRule, limit: number): Promise<AlertEvent[]> {
    const { where, params } = matchClause(rule);
    const { rows } = await this.pool.query<{
      observed_at: Date;
      host: string;
      action: string;
      syscall_name: string | null;
      pid: number | null;
      exe: string | null;
      container: string | null;
      policy: string | null;
    }>(
      `SELECT v.observed_at, h.name AS host, v.action, v.syscall_name, v.pid, v.exe,
              coalesce(v.container_name, v.container_id) AS container, v.policy
         FROM violations v JOIN hosts h ON h.id = v.host_id
        WHERE ${where}
        ORDER BY v.observed_at DESC
        LIMIT ${Math.max(1, Math.floor(limit))}`,
      params,
    );
    return rows.map((r) => ({
      observedAt: r.observed_at.toISOString(),
      host: r.host,
      action: r.action,
      syscall: r.syscall_name,
      pid: r.pid,
      exe: r.exe,
      container: r.container,
      policy: r.policy,
    }));
  }

  /**
   * Starts a delivery unless the rule already started one within its window: an alert fires at
   * most once per `windowSeconds`, measured from the last firing (not from fixed clock buckets, so
   * a burst across a bucket edge fires once). Undefined: a duplicate. A transaction-scoped advisory
   * lock per rule makes the check and the insert one step across replicas.
   */
  async startDelivery(
    ruleId: string,
    windowSeconds: number,
    eventCount: number,
    payload: unknown,
  ): Promise<string | undefined> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('alert-rule:' || $1::text, 0))`, [
        ruleId,
      ]);
      // A new statement, so its snapshot sees a delivery another replica committed while we waited.
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO alert_deliveries (rule_id, dedup_key, status, event_count, payload)
         SELECT $1, 'fired:' || to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                'sending', $3, $4::jsonb
         WHERE NOT EXISTS (
           SELECT 1 FROM alert_deliveries
            WHERE rule_id = $1 AND created_at > now() - $2::int * interval '1 second')
         RETURNING id`,
        [ruleId, windowSeconds, eventCount, JSON.stringify(payload)],
      );
      await client.query('COMMIT');
      return rows[0]?.id;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async recordAttempt(
    id: string,
    outcome: { status: AlertDelivery['status']; attempts: number; responseStatus?: number; error?: string },
  ): Promise<void> {
    await this.pool.query(
      `UPDATE alert_deliveries
          SET status = $2, attempts = $3, response_status = $4, last_error = $5,
              finished_at = CASE WHEN $2 = 'sending' THEN NULL ELSE now() END
        WHERE id = $1`,
      [id, outcome.status, outcome.attempts, outcome.responseStatus ?? null, outcome.error ?? null],
    );
  }

  async deliveries(ruleId: string, limit: number): Promise<AlertDelivery[]> {
    const { rows } = await this.pool.query<{
      id: string;
      rule_id: string;
      status: AlertDelivery['status'];
      attempts: number;
      event_count: string;
      response_status: number | null;
      last_error: string | null;
      payload: unknown;
      created_at: Date;
      finished_at: Date | null;
    }>(
      `SELECT id, rule_id, status, attempts, event_count, response_status, last_error, payload, created_at, finished_at
         FROM alert_deliveries WHERE rule_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
      [ruleId, limit],
    );
    return rows.map((r) => ({
      id: String(r.id),
      ruleId: r.rule_id,
      status: r.status,
      attempts: r.attempts,
      eventCount: Number(r.event_count),
      responseStatus: r.response_status,
      lastError: r.last_error,
      payload: r.payload,
      createdAt: r.created_at.toISOString(),
      finishedAt: r.finished_at?.toISOString() ?? null,
    }));
  }
}
