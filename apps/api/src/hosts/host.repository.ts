import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { PG_POOL } from '../database/pg-pool.js';
import { stateOf, type Host, type HostSelector } from './host.js';

export interface EnrollFacts {
  name: string;
  labels?: Record<string, string>;
  bootId?: string;
  kernel?: string;
  arch?: string;
  agentVersion?: string;
}

export interface HeartbeatFacts {
  agentVersion?: string;
  bootId?: string;
  health: Record<string, unknown>;
}

export interface HostFilter {
  labels?: Record<string, string>;
  namePrefix?: string;
  seenAfter?: Date;
  seenBefore?: Date;
  /** Retired hosts: left out (the default), listed too, or the only ones listed. */
  retired?: RetiredFilter;
}

export const RETIRED_FILTERS = ['exclude', 'include', 'only'] as const;
export type RetiredFilter = (typeof RETIRED_FILTERS)[number];

export interface HostPageQuery extends HostFilter {
  afterName?: string;
  limit: number;
}

interface HostRow {
  id: string;
  name: string;
  labels: Record<string, string>;
  boot_id: string | null;
  kernel: string | null;
  arch: string | null;
  agent_version: string | null;
  first_seen: Date;
  last_seen: Date;
  last_heartbeat: Date | null;
  health: Record<string, unknown> | null;
  retired_at: Date | null;
  retired_by: string | null;
  now: Date;
}

const COLUMNS = `id, name, labels, boot_id, kernel, arch, agent_version, first_seen, last_seen, last_heartbeat,
  health, retired_at, retired_by, now() AS now`;

function toHost(r: HostRow): Host {
  return {
    id: r.id,
    name: r.name,
    labels: r.labels,
    bootId: r.boot_id,
    kernel: r.kernel,
    arch: r.arch,
    agentVersion: r.agent_version,
    firstSeen: r.first_seen.toISOString(),
    lastSeen: r.last_seen.toISOString(),
    lastHeartbeat: r.last_heartbeat?.toISOString() ?? null,
    health: r.health,
    state: stateOf(r.last_seen, r.last_heartbeat, r.now),
    retiredAt: r.retired_at?.toISOString() ?? null,
    retiredBy: r.retired_by,
  };
}

@Injectable()
export class HostsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /**
   * Creates the host or refreshes what the agent says of it. Labels the agent sends are added,
   * but never override labels already on the host (operators own them once set). Enrolling a
   * retired host's name again brings it back.
   */
  async enrollInTransaction(
    facts: EnrollFacts,
    client: PoolClient,
  ): Promise<{ host: Host; created: boolean }> {
    const { rows } = await client.query<HostRow & { created: boolean }>(
      `INSERT INTO hosts AS h (name, labels, boot_id, kernel, arch, agent_version)
       VALUES ($1, $2::jsonb, $3, $4, $5, $6)
       ON CONFLICT ON CONSTRAINT hosts_name_key DO UPDATE SET
         labels = excluded.labels || h.labels,
         boot_id = coalesce(excluded.boot_id, h.boot_id),
         kernel = coalesce(excluded.kernel, h.kernel),
         arch = coalesce(excluded.arch, h.arch),
         agent_version = coalesce(excluded.agent_version, h.agent_version),
         last_seen = now(),
         retired_at = NULL,
         retired_by = NULL
       RETURNING ${COLUMNS}, (xmax = 0) AS created`,
      [
        facts.name,
        JSON.stringify(facts.labels ?? {}),
        facts.bootId ?? null,
        facts.kernel ?? null,
        facts.arch ?? null,
        facts.agentVersion ?? null,
      ],
    );
    return { host: toHost(rows[0]), created: rows[0].created };
  }

  /** Answers false when the host does not exist. */
  async heartbeat(id: string, facts: HeartbeatFacts): Promise<boolean> {
    const r = await this.pool.query(
      `UPDATE hosts SET last_heartbeat = now(), last_seen = greatest(last_seen, now()), health = $2::jsonb,
         agent_version = coalesce($3, agent_version), boot_id = coalesce($4, boot_id)
       WHERE id = $1`,
      [id, JSON.stringify(facts.health), facts.agentVersion ?? null, facts.bootId ?? null],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async find(id: string, client?: PoolClient): Promise<Host | undefined> {
    const { rows } = await (client ?? this.pool).query<HostRow>(
      `SELECT ${COLUMNS} FROM hosts WHERE id = $1`,
      [id],
    );
    return rows[0] ? toHost(rows[0]) : undefined;
  }

  /** One keyset page of hosts by name, after `afterName`; "seen" is the later of event and heartbeat. */
  async page(f: HostPageQuery): Promise<Host[]> {
    const { rows } = await this.pool.query<HostRow>(
      `SELECT ${COLUMNS} FROM hosts
       WHERE ($1::text IS NULL OR name > $1)
         AND ($2::jsonb IS NULL OR labels @> $2::jsonb)
         AND ($3::text IS NULL OR starts_with(name, $3))
         AND ($4::timestamptz IS NULL OR greatest(last_seen, last_heartbeat) >= $4)
         AND ($5::timestamptz IS NULL OR greatest(last_seen, last_heartbeat) < $5)
         AND CASE $7::text WHEN 'include' THEN true WHEN 'only' THEN retired_at IS NOT NULL
               ELSE retired_at IS NULL END
       ORDER BY name
       LIMIT $6`,
      [
        f.afterName ?? null,
        f.labels ? JSON.stringify(f.labels) : null,
        f.namePrefix ?? null,
        f.seenAfter ?? null,
        f.seenBefore ?? null,
        f.limit,
        f.retired ?? 'exclude',
      ],
    );
    return rows.map(toHost);
  }

  /** The hosts a selector targets (see `hostMatchesSelector` for the rules), by name. */
  async findBySelector(selector: HostSelector): Promise<Host[]> {
    const { rows } = await this.pool.query<HostRow>(
      `SELECT ${COLUMNS} FROM hosts
       WHERE labels @> $1::jsonb AND ($2::text[] IS NULL OR name = ANY($2::text[]))
       ORDER BY name`,
      [JSON.stringify(selector.matchLabels ?? {}), selector.hostNames ?? null],
    );
    return rows.map(toHost);
  }

  /**
   * Marks the host retired inside the caller's transaction, locking the row; answers before and
   * after (the same when it was already retired), or undefined when there is no such host.
   */
  async retireInTransaction(
    id: string,
    actor: string,
    client: PoolClient,
  ): Promise<{ before: Host; after: Host } | undefined> {
    const { rows } = await client.query<HostRow>(`SELECT ${COLUMNS} FROM hosts WHERE id = $1 FOR UPDATE`, [
      id,
    ]);
    if (!rows[0]) return undefined;
    if (rows[0].retired_at !== null) return { before: toHost(rows[0]), after: toHost(rows[0]) };
    const updated = await client.query<HostRow>(
      `UPDATE hosts SET retired_at = now(), retired_by = $2 WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, actor],
    );
    return { before: toHost(rows[0]), after: toHost(updated.rows[0]) };
  }

  /** Replaces the labels inside the caller's transaction, locking the row; answers before and after. */
  async setLabelsInTransaction(
    id: string,
    labels: Record<string, string>,
    client: PoolClient,
  ): Promise<{ before: Host; after: Host } | undefined> {
    const { rows } = await client.query<HostRow>(`SELECT ${COLUMNS} FROM hosts WHERE id = $1 FOR UPDATE`, [
      id,
    ]);
    if (!rows[0]) return undefined;
    const updated = await client.query<HostRow>(
      `UPDATE hosts SET labels = $2::jsonb WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, JSON.stringify(labels)],
    );
    return { before: toHost(rows[0]), after: toHost(updated.rows[0]) };
  }
}
