import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { PG_POOL } from '../database/pg-pool.js';
import type { AuditChange, AuditEntry } from './audit-entry.js';

export interface AuditLogFilter {
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  from?: Date;
  to?: Date;
  /** Keyset: only entries older than this id. */
  beforeId?: string;
  limit: number;
}

interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  action: string;
  target_type: string;
  target_id: string | null;
  before: unknown;
  after: unknown;
}

@Injectable()
export class AuditLogRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Pass `client` to record inside the caller's transaction (the change and its entry commit together). */
  async insert(change: AuditChange, client?: PoolClient): Promise<void> {
    await (client ?? this.pool).query(
      `INSERT INTO audit_log (actor, action, target_type, target_id, before, after)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb)`,
      [
        change.actor,
        change.action,
        change.targetType,
        change.targetId ?? null,
        change.before === undefined ? null : JSON.stringify(change.before),
        change.after === undefined ? null : JSON.stringify(change.after),
      ],
    );
  }

  /** Newest first, keyset on id (ids only grow). */
  async list(filter: AuditLogFilter): Promise<AuditEntry[]> {
    const terms: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      terms.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.actor !== undefined) add('actor = ?', filter.actor);
    if (filter.action !== undefined) add('action = ?', filter.action);
    if (filter.targetType !== undefined) add('target_type = ?', filter.targetType);
    if (filter.targetId !== undefined) add('target_id = ?', filter.targetId);
    if (filter.from !== undefined) add('at >= ?', filter.from);
    if (filter.to !== undefined) add('at < ?', filter.to);
    if (filter.beforeId !== undefined) add('id < ?::bigint', filter.beforeId);
    params.push(filter.limit);
    const where = terms.length > 0 ? `WHERE ${terms.join(' AND ')}` : '';
    const { rows } = await this.pool.query<AuditRow>(
      `SELECT id::text, at, actor, action, target_type, target_id, before, after
       FROM audit_log ${where} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      actor: r.actor,
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      before: r.before,
      after: r.after,
    }));
  }
}
