import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import type { Role } from '../auth/role.js';
import { afterTimeKey, createdUs, type TimeKey } from '../common/page-cursor.js';
import { PG_POOL } from '../database/pg-pool.js';

export interface TokenRecord {
  id: string;
  name: string;
  role: Role;
  hostId: string | null;
  hostName: string | null;
  createdAt: string;
  createdBy: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface NewToken {
  id: string;
  name: string;
  role: Role;
  hostId?: string;
  secretHash: Buffer;
  createdBy: string;
}

interface TokenRow {
  id: string;
  name: string;
  role: Role;
  host_id: string | null;
  host_name: string | null;
  created_at: Date;
  created_by: string | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const SELECT = `SELECT t.id, t.name, t.role, t.host_id, h.name AS host_name, t.created_at, t.created_by,
  t.revoked_at, t.last_used_at FROM tokens t LEFT JOIN hosts h ON h.id = t.host_id`;

function toRecord(r: TokenRow): TokenRecord {
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    hostId: r.host_id,
    hostName: r.host_name,
    createdAt: r.created_at.toISOString(),
    createdBy: r.created_by,
    revokedAt: r.revoked_at?.toISOString() ?? null,
    lastUsedAt: r.last_used_at?.toISOString() ?? null,
  };
}

@Injectable()
export class TokenRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** The live token with this id and its secret hash (for verification), if not revoked. */
  async findActiveWithHash(id: string): Promise<{ token: TokenRecord; secretHash: Buffer } | undefined> {
    const { rows } = await this.pool.query<TokenRow & { secret_hash: Buffer }>(
      `SELECT t.id, t.name, t.role, t.host_id, h.name AS host_name, t.created_at, t.created_by,
         t.revoked_at, t.last_used_at, t.secret_hash
       FROM tokens t LEFT JOIN hosts h ON h.id = t.host_id
       WHERE t.id = $1 AND t.revoked_at IS NULL`,
      [id],
    );
    return rows[0] ? { token: toRecord(rows[0]), secretHash: rows[0].secret_hash } : undefined;
  }

  /** Marks use at most once a minute, so verification does not write on every request. */
  async touch(id: string): Promise<void> {
    await this.pool.query(
      `UPDATE tokens SET last_used_at = now()
       WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [id],
    );
  }

  async insert(token: NewToken, client: PoolClient): Promise<TokenRecord> {
    await client.query(
      `INSERT INTO tokens (id, name, role, host_id, secret_hash, created_by) VALUES ($1, $2, $3, $4, $5, $6)`,
      [token.id, token.name, token.role, token.hostId ?? null, token.secretHash, token.createdBy],
    );
    const { rows } = await client.query<TokenRow>(`${SELECT} WHERE t.id = $1`, [token.id]);
    return toRecord(rows[0]);
  }

  /**
   * Up to `limit` tokens by creation time (then id), after the token created at `after.us`
   * (microseconds since the epoch, exact) with id `after.id` when given; each with its `us`.
   */
  async page(
    includeRevoked: boolean,
    after: TimeKey | undefined,
    limit: number,
  ): Promise<{ record: TokenRecord; key: TimeKey }[]> {
    const { rows } = await this.pool.query<TokenRow & { created_us: string }>(
      `SELECT s.*, ${createdUs('s')} AS created_us FROM (${SELECT}) s
       WHERE ($1 OR s.revoked_at IS NULL) AND ${afterTimeKey('s', '$2', '$3')}
       ORDER BY s.created_at, s.id LIMIT $4`,
      [includeRevoked, after?.us ?? null, after?.id ?? null, limit],
    );
    return rows.map((r) => ({ record: toRecord(r), key: { us: Number(r.created_us), id: r.id } }));
  }

  async find(id: string, client?: PoolClient): Promise<TokenRecord | undefined> {
    const { rows } = await (client ?? this.pool).query<TokenRow>(`${SELECT} WHERE t.id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /** Revokes and answers the ids revoked (none when already revoked). */
  async revoke(id: string, client: PoolClient): Promise<boolean> {
    const r = await client.query(
      `UPDATE tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`,
      [id],
    );
    return (r.rowCount ?? 0) > 0;
  }

  /** Revokes every live agent token of a host (re-enrollment); answers their ids. */
  async revokeAgentTokensOf(hostId: string, client: PoolClient): Promise<string[]> {
    const { rows } = await client.query<{ id: string }>(
      `UPDATE tokens SET revoked_at = now() WHERE host_id = $1 AND role = 'agent' AND revoked_at IS NULL RETURNING id`,
      [hostId],
    );
    return rows.map((r) => r.id);
  }

  async countActiveAdmins(client: PoolClient): Promise<number> {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM tokens WHERE role = 'admin' AND revoked_at IS NULL`,
    );
    return rows[0].n;
  }
}
