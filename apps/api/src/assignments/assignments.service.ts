import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import { profileSha256, toLogMode, type SeccompProfile } from '@sandtrap/seccomp-profile';
import { AuditLogService } from '../audit-log/audit-log.service.js';
import { DomainError, NotFoundError, ValidationFailedError } from '../common/domain-error.js';
import { decodeCursor, encodeCursor, isTimeKey, pageOf } from '../common/page-cursor.js';
import { PG_POOL } from '../database/pg-pool.js';
import { inTransaction } from '../database/transaction.js';
import { hostMatchesSelector, type Host, type HostSelector } from '../hosts/host.js';
import type { HostAssignment } from '../hosts/host-policy.port.js';
import { HostsRepository } from '../hosts/host.repository.js';
import { PolicyRepository } from '../policies/policy.repository.js';
import type { Assignment, AssignmentMode, HostRolloutStatus } from './assignment.js';
import { AssignmentRepository } from './assignment.repository.js';
import { effectiveVersion, hostRolloutStatus, pickCanaryHosts } from './rollout.js';

export interface RolloutRequest {
  canaryShare?: number;
  canaryHosts?: string[];
  soakSeconds?: number;
}

export interface AssignRequest {
  policy: string;
  version: number;
  selector: HostSelector;
  mode: AssignmentMode;
  rollout?: RolloutRequest;
}

/** `waiting`: a host outside the canary that gets the version only when the rollout is promoted. */
export type AssignmentHostStatus = HostRolloutStatus | 'waiting';

export interface AssignmentHostView {
  hostId: string;
  host: string;
  canary: boolean;
  version: number | null;
  expectedSha256: string | null;
  reportedSha256: string | null;
  error: string | null;
  status: AssignmentHostStatus;
}

export interface AssignmentView extends Assignment {
  summary: Record<AssignmentHostStatus, number>;
  hosts?: AssignmentHostView[];
}

const emptySummary = (): Record<AssignmentHostStatus, number> => ({
  applied: 0,
  pending: 0,
  failed: 0,
  drift: 0,
  waiting: 0,
});

/** Assignments with staged rollouts, and what each host should run and reports it runs. */
@Injectable()
export class AssignmentsService {
  private readonly logger = new Logger('Assignments');

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly assignments: AssignmentRepository,
    private readonly policies: PolicyRepository,
    private readonly hosts: HostsRepository,
    private readonly auditLog: AuditLogService,
  ) {}

  /**
   * Assigns a version to the hosts of a selector. The same policy on the same selector is one
   * assignment: assigning again starts a new rollout from the version it had.
   */
  async assign(request: AssignRequest, actor: string): Promise<AssignmentView> {
    const found = await this.policies.findVersion(request.policy, request.version);
    if (!found) {
      const policy = await this.policies.findByName(request.policy);
      if (!policy) throw new NotFoundError('policy', request.policy);
      throw new NotFoundError('policy version', `${request.policy}@${request.version}`);
    }
    const selector = canonicalSelector(request.selector);
    const matched = await this.hosts.findBySelector(selector);
    if (matched.length === 0) {
      throw new DomainError(
        'selector_matches_nothing',
        'the host selector matches no host: nothing was assigned',
        { selector },
      );
    }
    const id = await inTransaction(this.pool, async (client) => {
      const policy = await this.policies.findForUpdateInTransaction(request.policy, client);
      if (!policy) throw new NotFoundError('policy', request.policy);
      const existing = await this.assignments.findBySelectorInTransaction(policy.id, selector, client);
      const canaryHostIds = request.rollout
        ? this.canaryHosts(request.rollout, matched, existing?.id ?? policy.id)
        : [];
      const change = {
        version: request.version,
        // What the hosts outside any canary run now: the version a rollback returns to.
        previousVersion: existing ? (effectiveVersion(existing, '') ?? null) : null,
        mode: request.mode,
        stage: request.rollout ? ('canary' as const) : ('complete' as const),
        canaryHostIds,
        soakSeconds: request.rollout?.soakSeconds ?? null,
      };
      let assignmentId: string;
      if (existing) {
        await this.assignments.updateInTransaction(existing.id, change, client);
        assignmentId = existing.id;
      } else {
        assignmentId = await this.assignments.insertInTransaction(
          { policyId: policy.id, selector, createdBy: actor, ...change },
          client,
        );
      }
      await this.auditLog.record(
        {
          actor,
          action: existing ? 'assignment.update' : 'assignment.create',
          targetType: 'assignment',
          targetId: assignmentId,
          before: existing ? pickAudited(existing) : null,
          after: { policy: request.policy, selector, ...change },
        },
        client,
      );
      return assignmentId;
    });
    return this.get(id);
  }

  async list(): Promise<AssignmentView[]> {
    const all = await this.assignments.list();
    return Promise.all(all.map(async (a) => this.view(a, false)));
  }

  /** Assignments in creation order, in keyset pages, each with its stage and hosts by status. */
  async page(
    limit: number,
    cursor?: string,
  ): Promise<{ items: AssignmentView[]; nextCursor: string | null }> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor, isTimeKey);
    const rows = await this.assignments.page(after, limit + 1);
    const page = pageOf(rows, limit, (last) => encodeCursor(last.key));
    return {
      items: await Promise.all(page.items.map(async (r) => this.view(r.assignment, false))),
      nextCursor: page.nextCursor,
    };
  }

  async get(id: string): Promise<AssignmentView> {
    const found = await this.assignments.find(id);
    if (!found) throw new NotFoundError('assignment', id);
    return this.view(found, true);
  }

  /** Canary to every host. */
  async promote(id: string, actor: string): Promise<AssignmentView> {
    await this.transition(id, actor, 'assignment.promote', (a) => {
      if (a.stage !== 'canary') {
        throw new DomainError('conflict', `assignment is ${a.stage}, only a canary can be promoted`, {
          stage: a.stage,
        });
      }
      return 'complete';
    });
    return this.get(id);
  }

  /** Every host back on the previous version (or on none, for a first rollout). */
  async rollback(id: string, actor: string): Promise<AssignmentView> {
    await this.transition(id, actor, 'assignment.rollback', (a) => {
      if (a.stage === 'rolled_back')
        throw new DomainError('conflict', 'assignment is rolled back already', { stage: a.stage });
      return 'rolled_back';
    });
    return this.get(id);
  }

  async remove(id: string, actor: string): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      const found = await this.assignments.find(id, client, true);
      if (!found) throw new NotFoundError('assignment', id);
      await this.assignments.deleteInTransaction(id, client);
      await this.auditLog.record(
        {
          actor,
          action: 'assignment.delete',
          targetType: 'assignment',
          targetId: id,
          before: pickAudited(found),
        },
        client,
      );
    });
  }

  /** What one host should run: one profile per policy, in log mode rewritten to SCMP_ACT_LOG. */
  async resolveForHost(host: Host): Promise<HostAssignment[]> {
    const wanted = new Map<string, { assignment: Assignment; version: number }>();
    const applicable = (await this.assignments.list())
      .filter((a) => hostMatchesSelector(host, a.selector))
      .sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
    for (const a of applicable) {
      const version = effectiveVersion(a, host.id);
      if (version === undefined) wanted.delete(a.policy);
      else wanted.set(a.policy, { assignment: a, version });
    }
    const versions = await this.policies.findVersionsByIds(
      [...wanted.values()].map((w) => ({ policyId: w.assignment.policyId, version: w.version })),
    );
    const resolved: HostAssignment[] = [];
    for (const [policy, w] of wanted) {
      const v = versions.get(`${w.assignment.policyId}:${w.version}`);
      if (!v) continue;
      const profile = effectiveProfile(v.profile, w.assignment.mode);
      resolved.push({
        policy,
        version: w.version,
        sha256: profileSha256(profile),
        mode: w.assignment.mode,
        profile,
      });
    }
    return resolved.sort((a, b) => a.policy.localeCompare(b.policy));
  }

  async recordStatus(
    host: Host,
    profiles: { policy: string; sha256?: string; path?: string; error?: string }[],
  ): Promise<void> {
    await inTransaction(this.pool, (client) =>
      this.assignments.replaceStatusInTransaction(host.id, profiles, client),
    );
  }

  /**
   * Promotes each canary whose soak time has passed with no new blocked events on its canary
   * hosts. Answers the ids promoted. Runs on a timer (AutoPromoteJob) and in tests directly.
   */
  async autoPromote(now = new Date()): Promise<string[]> {
    const promoted: string[] = [];
    for (const a of await this.assignments.list()) {
      if (a.stage !== 'canary' || a.soakSeconds === null) continue;
      const started = new Date(a.stageStartedAt);
      if (now.getTime() - started.getTime() < a.soakSeconds * 1000) continue;
      const blocked = await this.assignments.countBlockedSince(a.canaryHostIds, a.policy, started);
      if (blocked > 0) continue;
      await this.transition(a.id, 'system:auto-promote', 'assignment.auto_promote', (current) =>
        current.stage === 'canary' ? 'complete' : undefined,
      );
      this.logger.log(
        `promoted assignment ${a.id} (${a.policy}@${a.version}) after ${a.soakSeconds}s without blocked events`,
      );
      promoted.push(a.id);
    }
    return promoted;
  }

  /** Hosts by rollout status over every assignment (the fleet metrics gauge). */
  async statusCounts(): Promise<Record<AssignmentHostStatus, number>> {
    const total = emptySummary();
    for (const view of await this.list())
      for (const [k, n] of Object.entries(view.summary)) total[k as AssignmentHostStatus] += n;
    return total;
  }

  private async transition(
    id: string,
    actor: string,
    action: string,
    next: (a: Assignment) => Assignment['stage'] | undefined,
  ): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      const found = await this.assignments.find(id, client, true);
      if (!found) throw new NotFoundError('assignment', id);
      const stage = next(found);
      if (stage === undefined) return;
      await this.assignments.setStageInTransaction(id, stage, client);
      await this.auditLog.record(
        {
          actor,
          action,
          targetType: 'assignment',
          targetId: id,
          before: { stage: found.stage },
          after: { stage },
        },
        client,
      );
    });
  }

  private canaryHosts(rollout: RolloutRequest, matched: Host[], seed: string): string[] {
    if (rollout.canaryHosts && rollout.canaryHosts.length > 0) {
      const byName = new Map(matched.map((h) => [h.name, h.id]));
      const unknown = rollout.canaryHosts.filter((n) => !byName.has(n));
      if (unknown.length > 0) {
        throw new ValidationFailedError([
          {
            pointer: '/rollout/canaryHosts',
            message: `not among the selected hosts: ${unknown.slice(0, 10).join(', ')}`,
          },
        ]);
      }
      return rollout.canaryHosts.map((n) => byName.get(n)!);
    }
    return pickCanaryHosts(
      matched.map((h) => h.id),
      rollout.canaryShare ?? 0.1,
      seed,
    );
  }

  private async view(a: Assignment, withHosts: boolean): Promise<AssignmentView> {
    const hosts = await this.hosts.findBySelector(a.selector);
    const reports = new Map(
      (await this.assignments.statusReports(hosts.map((h) => h.id)))
        .filter((r) => r.policy === a.policy)
        .map((r) => [r.hostId, r]),
    );
    const versions = new Set(
      hosts.map((h) => effectiveVersion(a, h.id)).filter((v): v is number => v !== undefined),
    );
    const profiles = await this.policies.findVersionsByIds(
      [...versions].map((version) => ({ policyId: a.policyId, version })),
    );
    const changedAt = new Date(a.stageStartedAt);
    const summary = emptySummary();
    const rows: AssignmentHostView[] = hosts.map((h) => {
      const version = effectiveVersion(a, h.id);
      const report = reports.get(h.id);
      const stored = version === undefined ? undefined : profiles.get(`${a.policyId}:${version}`);
      const expected = stored ? profileSha256(effectiveProfile(stored.profile, a.mode)) : null;
      const status: AssignmentHostStatus =
        expected === null ? 'waiting' : hostRolloutStatus(expected, report, changedAt);
      summary[status] += 1;
      return {
        hostId: h.id,
        host: h.name,
        canary: a.canaryHostIds.includes(h.id),
        version: version ?? null,
        expectedSha256: expected,
        reportedSha256: report?.sha256 ?? null,
        error: report?.error ?? null,
        status,
      };
    });
    return { ...a, summary, ...(withHosts ? { hosts: rows } : {}) };
  }
}

function effectiveProfile(profile: SeccompProfile, mode: AssignmentMode): SeccompProfile {
  return mode === 'log' ? toLogMode(profile) : profile;
}

/** Selectors compare as JSON: sort keys and names so equal selectors are equal rows. */
function canonicalSelector(selector: HostSelector): HostSelector {
  const out: HostSelector = {};
  if (selector.matchLabels && Object.keys(selector.matchLabels).length > 0) {
    out.matchLabels = Object.fromEntries(
      Object.entries(selector.matchLabels).sort(([a], [b]) => a.localeCompare(b)),
    );
  }
  if (selector.hostNames) out.hostNames = [...new Set(selector.hostNames)].sort();
  return out;
}

function pickAudited(a: Assignment): Record<string, unknown> {
  return {
    version: a.version,
    previousVersion: a.previousVersion,
    mode: a.mode,
    stage: a.stage,
    selector: a.selector,
  };
}
