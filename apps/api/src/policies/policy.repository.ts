import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import type { SeccompProfile } from '@sandtrap/seccomp-profile';
import { PG_POOL } from '../database/pg-pool.js';
import type { Policy, PolicyVersion, PolicyVersionSummary } from './policy.js';

interface PolicyRow {
  id: string;
  name: string;
  description: string | null;
  created_at: Date;
  created_by: string;
  latest_version: number;
  sha256: string;
  updated_at: Date;
}

interface VersionRow {
  name: string;
  version: number;
  sha256: string;
  author: string;
  message: string | null;
  created_at: Date;
  profile: SeccompProfile;
}

const POLICY_SELECT = `
  SELECT p.id, p.name, p.description, p.created_at, p.created_by,
         v.version AS latest_version, v.sha256, v.created_at AS updated_at
  FROM policies p
  JOIN LATERAL (
    SELECT version, sha256, created_at FROM policy_versions
    WHERE policy_id = p.id ORDER BY version DESC LIMIT 1
  ) v ON true`;

const toPolicy = (r: PolicyRow): Policy => ({
  id: r.id,
  name: r.name,
  description: r.description,
  createdAt: r.created_at.toISOString(),
  createdBy: r.created_by,
  latestVersion: r.latest_version,
  sha256: r.sha256,
  updatedAt: r.updated_at.toISOString(),
});

const toVersion = (r: VersionRow): PolicyVersion => ({
  policy: r.name,
  version: r.version,
  sha256: r.sha256,
  author: r.author,
  message: r.message,
  createdAt: r.created_at.toISOString(),
  profile: r.profile,
});

/** Policies and their immutable versions. */
@Injectable()
export class PolicyRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Inserts the policy row; answers undefined when the name is taken. */
  async insertPolicyInTransaction(
    policy: { name: string; description?: string; createdBy: string },
    client: PoolClient,
  ): Promise<string | undefined> {
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO policies (name, description, created_by) VALUES ($1, $2, $3)
       ON CONFLICT ON CONSTRAINT policies_name_key DO NOTHING RETURNING id`,
      [policy.name, policy.description ?? null, policy.createdBy],
    );
    return rows[0]?.id;
  }

  async insertVersionInTransaction(
    v: {
      policyId: string;
      version: number;
      profile: SeccompProfile;
      sha256: string;
      author: string;
      message?: string;
    },
    client: PoolClient,
  ): Promise<void> {
    await client.query(
      `INSERT INTO policy_versions (policy_id, version, profile, sha256, author, message)
       VALUES ($1, $2, $3::jsonb, $4, $5, $6)`,
      [v.policyId, v.version, JSON.stringify(v.profile), v.sha256, v.author, v.message ?? null],
    );
  }

  /** The policy with its latest version, row-locked for the caller's transaction. */
  async findForUpdateInTransaction(name: string, client: PoolClient): Promise<Policy | undefined> {
    const locked = await client.query<{ id: string }>(`SELECT id FROM policies WHERE name = $1 FOR UPDATE`, [
      name,
    ]);
    if (!locked.rows[0]) return undefined;
    const { rows } = await client.query<PolicyRow>(`${POLICY_SELECT} WHERE p.id = $1`, [locked.rows[0].id]);
    return rows[0] && toPolicy(rows[0]);
  }

  async findByName(name: string): Promise<Policy | undefined> {
    const { rows } = await this.pool.query<PolicyRow>(`${POLICY_SELECT} WHERE p.name = $1`, [name]);
    return rows[0] && toPolicy(rows[0]);
  }

  /** Up to `limit` policies by name, after `afterName` when given. */
  async page(afterName: string | undefined, limit: number): Promise<Policy[]> {
    const { rows } = await this.pool.query<PolicyRow>(
      `${POLICY_SELECT} WHERE $1::text IS NULL OR p.name > $1 ORDER BY p.name LIMIT $2`,
      [afterName ?? null, limit],
    );
    return rows.map(toPolicy);
  }

  async findVersion(name: string, version: number): Promise<PolicyVersion | undefined> {
    const { rows } = await this.pool.query<VersionRow>(
      `SELECT p.name, v.version, v.sha256, v.author, v.message, v.created_at, v.profile
       FROM policy_versions v JOIN policies p ON p.id = v.policy_id
       WHERE p.name = $1 AND v.version = $2`,
      [name, version],
    );
    return rows[0] && toVersion(rows[0]);
  }

  /** Several versions at once, keyed `policyId:version` (assignment resolution). */
  async findVersionsByIds(
    keys: { policyId: string; version: number }[],
  ): Promise<Map<string, PolicyVersion>> {
    if (keys.length === 0) return new Map();
    const { rows } = await this.pool.query<VersionRow & { policy_id: string }>(
      `SELECT v.policy_id, p.name, v.version, v.sha256, v.author, v.message, v.created_at, v.profile
       FROM unnest($1::uuid[], $2::int[]) AS k(policy_id, version)
       JOIN policy_versions v ON v.policy_id = k.policy_id AND v.version = k.version
       JOIN policies p ON p.id = v.policy_id`,
      [keys.map((k) => k.policyId), keys.map((k) => k.version)],
    );
    return new Map(rows.map((r) => [`${r.policy_id}:${r.version}`, toVersion(r)]));
  }

  async listVersions(policyId: string): Promise<PolicyVersionSummary[]> {
    const { rows } = await this.pool.query<Omit<VersionRow, 'profile' | 'name'>>(
      `SELECT version, sha256, author, message, created_at FROM policy_versions
       WHERE policy_id = $1 ORDER BY version DESC`,
      [policyId],
    );
    return rows.map((r) => ({
      version: r.version,
      sha256: r.sha256,
      author: r.author,
      message: r.message,
      createdAt: r.created_at.toISOString(),
    }));
  }

  async countAssignmentsInTransaction(policyId: string, client: PoolClient): Promise<number> {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM assignments WHERE policy_id = $1`,
      [policyId],
    );
    return rows[0].n;
  }

  async deleteInTransaction(policyId: string, client: PoolClient): Promise<void> {
    await client.query(`DELETE FROM policies WHERE id = $1`, [policyId]);
  }
}
