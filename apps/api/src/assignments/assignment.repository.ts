import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { afterTimeKey, createdUs, type TimeKey } from '../common/page-cursor.js';
import { PG_POOL } from '../database/pg-pool.js';
import type { HostSelector } from '../hosts/host.js';
import type { Assignment, AssignmentMode, RolloutStage } from './assignment.js';

interface AssignmentRow {
  id: string;
  policy_id: string;
  policy: string;
  version: number;
  previous_version: number | null;
  selector: HostSelector;
  mode: AssignmentMode;
  stage: RolloutStage;
  canary_host_ids: string[];
  soak_seconds: number | null;
  stage_started_at: Date;
  created_at: Date;
  created_by: string;
  updated_at: Date;
}

export interface StatusReportRow {
  hostId: string;
  policy: string;
  sha256: string | null;
  path: string | null;
  error: string | null;
  reportedAt: Date;
}

const SELECT = `
  SELECT a.id, a.policy_id, p.name AS policy, a.version, a.previous_version, a.selector, a.mode, a.stage,
         a.canary_host_ids, a.soak_seconds, a.stage_started_at, a.created_at, a.created_by, a.updated_at
  FROM assignments a JOIN policies p ON p.id = a.policy_id`;

const toAssignment = (r: AssignmentRow): Assignment => ({
  id: r.id,
  policyId: r.policy_id,
  policy: r.policy,
  version: r.version,
  previousVersion: r.previous_version,
  selector: r.selector,
  mode: r.mode,
  stage: r.stage,
  canaryHostIds: r.canary_host_ids,
  soakSeconds: r.soak_seconds,
  stageStartedAt: r.stage_started_at.toISOString(),
  createdAt: r.created_at.toISOString(),
  createdBy: r.created_by,
  updatedAt: r.updated_at.toISOString(),
});

/** Assignments of policy versions to hosts, and what hosts report they applied. */
@Injectable()
export class AssignmentRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async list(): Promise<Assignment[]> {
    const { rows } = await this.pool.query<AssignmentRow>(`${SELECT} ORDER BY a.created_at, a.id`);
    return rows.map(toAssignment);
  }

  /** Up to `limit` assignments in creation order, after `after` when given; each with its key. */
  async page(after: TimeKey | undefined, limit: number): Promise<{ assignment: Assignment; key: TimeKey }[]> {
    const { rows } = await this.pool.query<AssignmentRow & { created_us: string }>(
      `SELECT s.*, ${createdUs('s')} AS created_us FROM (${SELECT}) s
       WHERE ${afterTimeKey('s', '$1', '$2')} ORDER BY s.created_at, s.id LIMIT $3`,
      [after?.us ?? null, after?.id ?? null, limit],
    );
    return rows.map((r) => ({ assignment: toAssignment(r), key: { us: Number(r.created_us), id: r.id } }));
  }

  async find(id: string, client?: PoolClient, forUpdate = false): Promise<Assignment | undefined> {
    const { rows } = await (client ?? this.pool).query<AssignmentRow>(
      `${SELECT} WHERE a.id = $1 ${forUpdate ? 'FOR UPDATE OF a' : ''}`,
      [id],
    );
    return rows[0] && toAssignment(rows[0]);
  }

  /** The assignment of a policy to exactly this selector, if any (a new version replaces it). */
  async findBySelectorInTransaction(
    policyId: string,
    selector: HostSelector,
    client: PoolClient,
  ): Promise<Assignment | undefined> {
    const { rows } = await client.query<AssignmentRow>(
      `${SELECT} WHERE a.policy_id = $1 AND a.selector = $2::jsonb FOR UPDATE OF a`,
      [policyId, JSON.stringify(selector)],
    );
    return rows[0] && toAssignment(rows[0]);
  }

  async insertInTransaction(
    a: Omit<Assignment, 'id' | 'policy' | 'stageStartedAt' | 'createdAt' | 'updatedAt'>,
    client: PoolClient,
  ): Promise<string> {
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO assignments (policy_id, version, previous_version, selector, mode, stage, canary_host_ids, soak_seconds, created_by)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7::uuid[], $8, $9) RETURNING id`,
      [
        a.policyId,
        a.version,
        a.previousVersion,
        JSON.stringify(a.selector),
        a.mode,
        a.stage,
        a.canaryHostIds,
        a.soakSeconds,
        a.createdBy,
      ],
    );
    return rows[0].id;
  }

  /** A new rollout on an existing assignment: version, mode, stage and canary set change together. */
  async updateInTransaction(
    id: string,
    change: Pick<
      Assignment,
      'version' | 'previousVersion' | 'mode' | 'stage' | 'canaryHostIds' | 'soakSeconds'
    >,
    client: PoolClient,
  ): Promise<void> {
    await client.query(
      `UPDATE assignments SET version = $2, previous_version = $3, mode = $4, stage = $5,
              canary_host_ids = $6::uuid[], soak_seconds = $7, stage_started_at = now(), updated_at = now()
       WHERE id = $1`,
      [
        id,
        change.version,
        change.previousVersion,
        change.mode,
        change.stage,
        change.canaryHostIds,
        change.soakSeconds,
      ],
    );
  }

  async setStageInTransaction(id: string, stage: Assignment['stage'], client: PoolClient): Promise<void> {
    await client.query(
      `UPDATE assignments SET stage = $2, stage_started_at = now(), updated_at = now() WHERE id = $1`,
      [id, stage],
    );
  }

  async deleteInTransaction(id: string, client: PoolClient): Promise<void> {
    await client.query(`DELETE FROM assignments WHERE id = $1`, [id]);
  }

  /** Replaces what a host reports it applied: its report is the whole set of its profiles. */
  async replaceStatusInTransaction(
    hostId: string,
    reports: { policy: string; sha256?: string; path?: string; error?: string }[],
    client: PoolClient,
  ): Promise<void> {
    await client.query(`DELETE FROM host_policy_status WHERE host_id = $1`, [hostId]);
    if (reports.length === 0) return;
    await client.query(
      `INSERT INTO host_policy_status (host_id, policy, sha256, path, error)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])
       ON CONFLICT ON CONSTRAINT host_policy_status_pkey DO UPDATE
         SET sha256 = EXCLUDED.sha256, path = EXCLUDED.path, error = EXCLUDED.error, reported_at = now()`,
      [
        hostId,
        reports.map((r) => r.policy),
        reports.map((r) => r.sha256 ?? null),
        reports.map((r) => r.path ?? null),
        reports.map((r) => r.error ?? null),
      ],
    );
  }

  async statusReports(hostIds: string[]): Promise<StatusReportRow[]> {
    const { rows } = await this.pool.query<{
      host_id: string;
      policy: string;
      sha256: string | null;
      path: string | null;
      error: string | null;
      reported_at: Date;
    }>(
      `SELECT host_id, policy, sha256, path, error, reported_at FROM host_policy_status WHERE host_id = ANY($1::uuid[])`,
      [hostIds],
    );
    return rows.map((r) => ({
      hostId: r.host_id,
      policy: r.policy,
      sha256: r.sha256,
      path: r.path,
      error: r.error,
      reportedAt: r.reported_at,
    }));
  }

  /**
   * Blocked seccomp events on the given hosts since `since` that may come from the policy: those
   * attributed to it, and those attributed to no policy (the kernel's records never name one).
   */
  async countBlockedSince(hostIds: string[], policy: string, since: Date): Promise<number> {
    if (hostIds.length === 0) return 0;
    const { rows } = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM violations
       WHERE host_id = ANY($1::uuid[]) AND observed_at >= $2 AND blocked
         AND kind = 'seccomp' AND (policy = $3 OR policy IS NULL)`,
      [hostIds, since, policy],
    );
    return Number(rows[0].n);
  }
}
