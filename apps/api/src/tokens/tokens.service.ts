import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { AuditLogService } from '../audit-log/audit-log.service.js';
import type { Role } from '../auth/role.js';
import { NotFoundError } from '../common/domain-error.js';
import { decodeCursor, encodeCursor, isTimeKey, pageOf } from '../common/page-cursor.js';
import { PG_POOL } from '../database/pg-pool.js';
import { inTransaction } from '../database/transaction.js';
import { issueToken } from './token-secret.js';
import { TokenRepository, type TokenRecord } from './token.repository.js';
import { AgentTokenNeedsHostError } from './tokens.errors.js';

export interface TokenRequest {
  name: string;
  role: Role;
  hostId?: string;
}

/** Creates, lists and revokes API tokens; every change is in the audit log (never the secret). */
@Injectable()
export class TokensService {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly tokens: TokenRepository,
    private readonly auditLog: AuditLogService,
  ) {}

  create(request: TokenRequest, actor: string): Promise<TokenRecord & { token: string }> {
    return inTransaction(this.pool, (client) => this.createInTransaction(request, actor, client));
  }

  /** For callers that create a token as part of a larger change (enrollment, bootstrap). */
  async createInTransaction(
    request: TokenRequest,
    actor: string,
    client: PoolClient,
  ): Promise<TokenRecord & { token: string }> {
    if ((request.role === 'agent') !== (request.hostId !== undefined)) throw new AgentTokenNeedsHostError();
    if (request.hostId !== undefined) {
      const { rowCount } = await client.query('SELECT 1 FROM hosts WHERE id = $1', [request.hostId]);
      if (!rowCount) throw new NotFoundError('host', request.hostId);
    }
    const issued = issueToken();
    const record = await this.tokens.insert(
      {
        id: issued.id,
        name: request.name,
        role: request.role,
        hostId: request.hostId,
        secretHash: issued.secretHash,
        createdBy: actor,
      },
      client,
    );
    await this.auditLog.record(
      {
        actor,
        action: 'token.create',
        targetType: 'token',
        targetId: record.id,
        before: null,
        after: record,
      },
      client,
    );
    return { ...record, token: issued.token };
  }

  /** Tokens by creation time in keyset pages (revoked ones only when asked for). */
  async page(
    includeRevoked: boolean,
    limit: number,
    cursor?: string,
  ): Promise<{ items: TokenRecord[]; nextCursor: string | null }> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor, isTimeKey);
    const rows = await this.tokens.page(includeRevoked, after, limit + 1);
    const page = pageOf(rows, limit, (last) => encodeCursor(last.key));
    return { items: page.items.map((r) => r.record), nextCursor: page.nextCursor };
  }

  /** Revokes at once; revoking a revoked token is a no-op answered like the first time. */
  revoke(id: string, actor: string): Promise<TokenRecord> {
    return inTransaction(this.pool, async (client) => {
      const before = await this.tokens.find(id, client);
      if (!before) throw new NotFoundError('token', id);
      if (await this.tokens.revoke(id, client)) {
        const after = (await this.tokens.find(id, client))!;
        await this.auditLog.record(
          { actor, action: 'token.revoke', targetType: 'token', targetId: id, before, after },
          client,
        );
        return after;
      }
      return before;
    });
  }

  /** Re-enrollment: the host's previous agent tokens stop working. */
  async revokeAgentTokensInTransaction(hostId: string, actor: string, client: PoolClient): Promise<void> {
    const ids = await this.tokens.revokeAgentTokensOf(hostId, client);
    for (const id of ids) {
      await this.auditLog.record(
        {
          actor,
          action: 'token.revoke',
          targetType: 'token',
          targetId: id,
          before: null,
          after: { reason: 're-enrollment', hostId },
        },
        client,
      );
    }
  }
}
