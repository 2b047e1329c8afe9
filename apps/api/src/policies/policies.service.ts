import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import {
  diffProfiles,
  toOciJson,
  toSpoYaml,
  type ProfileDiffEntry,
  type ProfileWarning,
} from '@sandtrap/seccomp-profile';
import { AuditLogService } from '../audit-log/audit-log.service.js';
import { DomainError, NotFoundError, ValidationFailedError } from '../common/domain-error.js';
import { decodeCursor, encodeCursor, isNameCursor, pageOf } from '../common/page-cursor.js';
import { PG_POOL } from '../database/pg-pool.js';
import { inTransaction } from '../database/transaction.js';
import { checkProfileInput } from './policy-profile-input.js';
import { POLICY_NAME_PATTERN, type Policy, type PolicyVersion, type PolicyVersionSummary } from './policy.js';
import { PolicyRepository } from './policy.repository.js';

export interface SavedVersion extends PolicyVersion {
  warnings: ProfileWarning[];
  /** True when the profile equals the latest version, so no version was made. */
  unchanged?: boolean;
}

export type ExportFormat = 'oci' | 'spo';

/** Policies: every change a new immutable version, optimistic concurrency on the version number. */
@Injectable()
export class PoliciesService {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly policies: PolicyRepository,
    private readonly auditLog: AuditLogService,
  ) {}

  async create(
    input: { name: string; profile: unknown; description?: string; message?: string },
    actor: string,
  ): Promise<SavedVersion> {
    if (!POLICY_NAME_PATTERN.test(input.name)) {
      throw new ValidationFailedError([
        {
          pointer: '/name',
          message: 'a policy name is 1-128 of [A-Za-z0-9._-], starting with a letter or digit',
        },
      ]);
    }
    const checked = checkProfileInput(input.profile);
    const saved = await inTransaction(this.pool, async (client) => {
      const policyId = await this.policies.insertPolicyInTransaction(
        { name: input.name, description: input.description, createdBy: actor },
        client,
      );
      if (!policyId)
        throw new DomainError('conflict', `a policy named "${input.name}" exists already`, {
          name: input.name,
        });
      const version = {
        policyId,
        version: 1,
        profile: checked.profile,
        sha256: checked.sha256,
        author: actor,
        message: input.message,
      };
      await this.policies.insertVersionInTransaction(version, client);
      await this.auditLog.record(
        {
          actor,
          action: 'policy.create',
          targetType: 'policy',
          targetId: input.name,
          after: {
            version: 1,
            sha256: checked.sha256,
            description: input.description ?? null,
            message: input.message ?? null,
          },
        },
        client,
      );
      return version;
    });
    return this.savedAnswer(input.name, saved.version, checked.warnings);
  }

  /** A new version; `ifMatch` must name the latest version (412 otherwise). */
  async update(
    name: string,
    input: { profile: unknown; message?: string },
    ifMatch: number,
    actor: string,
  ): Promise<SavedVersion> {
    const checked = checkProfileInput(input.profile);
    const outcome = await inTransaction(this.pool, async (client) => {
      const policy = await this.policies.findForUpdateInTransaction(name, client);
      if (!policy) throw new NotFoundError('policy', name);
      if (policy.latestVersion !== ifMatch) {
        throw new DomainError(
          'precondition_failed',
          `policy "${name}" is at version ${policy.latestVersion}, not ${ifMatch}: fetch it and apply your change again`,
          { latestVersion: policy.latestVersion, ifMatch },
        );
      }
      if (policy.sha256 === checked.sha256) return { version: policy.latestVersion, unchanged: true };
      const version = policy.latestVersion + 1;
      await this.policies.insertVersionInTransaction(
        {
          policyId: policy.id,
          version,
          profile: checked.profile,
          sha256: checked.sha256,
          author: actor,
          message: input.message,
        },
        client,
      );
      await this.auditLog.record(
        {
          actor,
          action: 'policy.update',
          targetType: 'policy',
          targetId: name,
          before: { version: policy.latestVersion, sha256: policy.sha256 },
          after: { version, sha256: checked.sha256, message: input.message ?? null },
        },
        client,
      );
      return { version, unchanged: false };
    });
    const saved = await this.savedAnswer(name, outcome.version, checked.warnings);
    return outcome.unchanged ? { ...saved, unchanged: true } : saved;
  }

  /** Policies by name in keyset pages: the cursor is the last name of the previous page. */
  async page(limit: number, cursor?: string): Promise<{ items: Policy[]; nextCursor: string | null }> {
    const afterName = cursor === undefined ? undefined : decodeCursor(cursor, isNameCursor).name;
    const rows = await this.policies.page(afterName, limit + 1);
    return pageOf(rows, limit, (last) => encodeCursor({ name: last.name }));
  }

  /** The policy of that name, if there is one. */
  find(name: string): Promise<Policy | undefined> {
    return this.policies.findByName(name);
  }

  async get(name: string): Promise<Policy> {
    const policy = await this.policies.findByName(name);
    if (!policy) throw new NotFoundError('policy', name);
    return policy;
  }

  async latest(name: string): Promise<PolicyVersion & { description: string | null }> {
    const policy = await this.get(name);
    return { ...(await this.version(name, policy.latestVersion)), description: policy.description };
  }

  async version(name: string, version: number): Promise<PolicyVersion> {
    const found = await this.policies.findVersion(name, version);
    if (!found) {
      await this.get(name);
      throw new NotFoundError('policy version', `${name}@${version}`);
    }
    return found;
  }

  async versions(name: string): Promise<PolicyVersionSummary[]> {
    return this.policies.listVersions((await this.get(name)).id);
  }

  async export(
    name: string,
    version: number,
    format: ExportFormat,
  ): Promise<{ body: string; contentType: string }> {
    const found = await this.version(name, version);
    return format === 'spo'
      ? { body: toSpoYaml(found.profile, name), contentType: 'application/yaml' }
      : { body: `${toOciJson(found.profile, { indent: 2 })}\n`, contentType: 'application/json' };
  }

  async diff(
    name: string,
    from: number,
    to: number,
  ): Promise<{ from: number; to: number; changes: ProfileDiffEntry[] }> {
    const [a, b] = await Promise.all([this.version(name, from), this.version(name, to)]);
    return { from, to, changes: diffProfiles(a.profile, b.profile) };
  }

  /** Refused (409) while any assignment uses the policy. */
  async delete(name: string, actor: string): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      const policy = await this.policies.findForUpdateInTransaction(name, client);
      if (!policy) throw new NotFoundError('policy', name);
      const assigned = await this.policies.countAssignmentsInTransaction(policy.id, client);
      if (assigned > 0) {
        throw new DomainError(
          'conflict',
          `policy "${name}" is used by ${assigned} assignment(s): delete those first`,
          {
            assignments: assigned,
          },
        );
      }
      await this.policies.deleteInTransaction(policy.id, client);
      await this.auditLog.record(
        {
          actor,
          action: 'policy.delete',
          targetType: 'policy',
          targetId: name,
          before: { latestVersion: policy.latestVersion, sha256: policy.sha256 },
        },
        client,
      );
    });
  }

  private async savedAnswer(
    name: string,
    version: number,
    warnings: ProfileWarning[],
  ): Promise<SavedVersion> {
    return { ...(await this.version(name, version)), warnings };
  }
}
