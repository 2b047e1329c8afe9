import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { AuthToken } from '../auth/auth-token.js';
import { decodeCursor, encodeCursor } from '../common/page-cursor.js';
import type { AuditChange, AuditEntry } from './audit-entry.js';
import { AuditLogRepository, type AuditLogFilter } from './audit-log.repository.js';

export interface AuditLogPage {
  items: AuditEntry[];
  nextCursor: string | null;
}

const isCursorKey = (v: unknown): v is { id: string } =>
  typeof v === 'object' && v !== null && /^\d{1,19}$/.test(String((v as { id?: unknown }).id));

/** The audit log of who changed what: every feature records its changes here. */
@Injectable()
export class AuditLogService {
  constructor(private readonly repository: AuditLogRepository) {}

  /** Records one change; with `client`, inside the caller's transaction. */
  record(change: AuditChange, client?: PoolClient): Promise<void> {
    return this.repository.insert(change, client);
  }

  async list(filter: Omit<AuditLogFilter, 'beforeId'> & { cursor?: string }): Promise<AuditLogPage> {
    const { cursor, ...rest } = filter;
    const beforeId = cursor === undefined ? undefined : decodeCursor(cursor, isCursorKey).id;
    const items = await this.repository.list({ ...rest, beforeId, limit: filter.limit + 1 });
    const more = items.length > filter.limit;
    if (more) items.pop();
    return { items, nextCursor: more ? encodeCursor({ id: items[items.length - 1].id }) : null };
  }
}

/** The actor string of a caller, as the audit log shows it. */
export function actorOf(token: AuthToken | undefined): string {
  return token ? `token:${token.name}` : 'system';
}
