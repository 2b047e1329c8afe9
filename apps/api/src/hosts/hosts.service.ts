import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { AuditLogService } from '../audit-log/audit-log.service.js';
import { NotFoundError } from '../common/domain-error.js';
import { decodeCursor, encodeCursor, isNameCursor, pageOf } from '../common/page-cursor.js';
import { PG_POOL } from '../database/pg-pool.js';
import { inTransaction } from '../database/transaction.js';
import { TokensService } from '../tokens/tokens.service.js';
import type { Host } from './host.js';
import { HostPolicyPort, type HostAssignment, type ProfileStatusReport } from './host-policy.port.js';
import {
  HostsRepository,
  type EnrollFacts,
  type HeartbeatFacts,
  type HostFilter,
} from './host.repository.js';

export interface HostPage {
  items: Host[];
  nextCursor: string | null;
}

@Injectable()
export class HostsService {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly hosts: HostsRepository,
    private readonly tokens: TokensService,
    private readonly auditLog: AuditLogService,
    private readonly policies: HostPolicyPort,
  ) {}

  /**
   * Creates (or refreshes) the host and gives it a fresh agent token; the host's previous agent
   * tokens are revoked in the same transaction, so a re-installed agent replaces the old one.
   */
  enroll(facts: EnrollFacts, actor: string): Promise<{ hostId: string; hostname: string; token: string }> {
    return inTransaction(this.pool, async (client) => {
      const { host, created } = await this.hosts.enrollInTransaction(facts, client);
      await this.tokens.revokeAgentTokensInTransaction(host.id, actor, client);
      const token = await this.tokens.createInTransaction(
        { name: `agent:${host.name}`, role: 'agent', hostId: host.id },
        actor,
        client,
      );
      await this.auditLog.record(
        {
          actor,
          action: created ? 'host.enroll' : 'host.reenroll',
          targetType: 'host',
          targetId: host.id,
          after: host,
        },
        client,
      );
      return { hostId: host.id, hostname: host.name, token: token.token };
    });
  }

  async heartbeat(id: string, facts: HeartbeatFacts): Promise<void> {
    if (!(await this.hosts.heartbeat(id, facts))) throw new NotFoundError('host', id);
  }

  /** Hosts by name in keyset pages: the cursor is the last name of the previous page. */
  async list(filter: HostFilter, limit: number, cursor?: string): Promise<HostPage> {
    const afterName = cursor === undefined ? undefined : decodeCursor(cursor, isNameCursor).name;
    const rows = await this.hosts.page({ ...filter, afterName, limit: limit + 1 });
    return pageOf(rows, limit, (last) => encodeCursor({ name: last.name }));
  }

  async get(id: string): Promise<Host> {
    const host = await this.hosts.find(id);
    if (!host) throw new NotFoundError('host', id);
    return host;
  }

  setLabels(id: string, labels: Record<string, string>, actor: string): Promise<Host> {
    return inTransaction(this.pool, async (client) => {
      const change = await this.hosts.setLabelsInTransaction(id, labels, client);
      if (!change) throw new NotFoundError('host', id);
      await this.auditLog.record(
        {
          actor,
          action: 'host.labels',
          targetType: 'host',
          targetId: id,
          before: { labels: change.before.labels },
          after: { labels: change.after.labels },
        },
        client,
      );
      return change.after;
    });
  }

  /**
   * Retires a decommissioned host: kept with its stored events, left out of the default list and
   * the silent-host gauges; its agent tokens are revoked. Retiring it again changes nothing.
   */
  retire(id: string, actor: string): Promise<Host> {
    return inTransaction(this.pool, async (client) => {
      const change = await this.hosts.retireInTransaction(id, actor, client);
      if (!change) throw new NotFoundError('host', id);
      if (change.before.retiredAt !== null) return change.after;
      await this.tokens.revokeAgentTokensInTransaction(id, actor, client);
      await this.auditLog.record(
        {
          actor,
          action: 'host.retire',
          targetType: 'host',
          targetId: id,
          before: { retiredAt: null },
          after: { retiredAt: change.after.retiredAt },
        },
        client,
      );
      return change.after;
    });
  }

  async assignments(id: string): Promise<HostAssignment[]> {
    return this.policies.assignmentsFor(await this.get(id));
  }

  async reportStatus(id: string, profiles: ProfileStatusReport[]): Promise<void> {
    await this.policies.recordStatus(await this.get(id), profiles);
  }
}
