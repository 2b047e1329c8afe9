import type pg from 'pg';

export interface HostHealthRow {
  name: string;
  /** Seconds since the last heartbeat, capped in SQL. */
  heartbeatAgeSeconds: number;
  health: Record<string, unknown> | null;
}

export interface FleetSnapshot {
  reporting: number;
  silent: number;
  /** Hosts that have sent heartbeats (agents), stalest first, at most the limit. */
  agents: HostHealthRow[];
  /** Rows of violation_rollup_deltas (a stored batch's rollup counts) not folded yet. */
  rollupDeltasPending: number;
}

/** Heartbeat ages are capped so that a host gone for months does not read as a huge number. */
export const HEARTBEAT_AGE_CAP_SECONDS = 7 * 24 * 3600;

/** The hosts table as the fleet gauges need it, read at scrape time; retired hosts are left out. */
export class FleetMetricsRepository {
  constructor(private readonly pool: pg.Pool) {}

  async snapshot(reportingWindowSeconds: number, maxHosts: number): Promise<FleetSnapshot> {
    const states = await this.pool.query<{ reporting: string; silent: string; deltas: string }>(
      `SELECT count(*) FILTER (WHERE greatest(last_seen, last_heartbeat) > now() - make_interval(secs => $1)) AS reporting,
              count(*) FILTER (WHERE greatest(last_seen, last_heartbeat) <= now() - make_interval(secs => $1)) AS silent,
              (SELECT count(*) FROM violation_rollup_deltas) AS deltas
         FROM hosts
        WHERE retired_at IS NULL`,
      [reportingWindowSeconds],
    );
    const agents = await this.pool.query<{
      name: string;
      age: number;
      health: Record<string, unknown> | null;
    }>(
      `SELECT name,
              least(extract(epoch FROM now() - last_heartbeat), $1)::float8 AS age,
              health
         FROM hosts
        WHERE last_heartbeat IS NOT NULL AND retired_at IS NULL
        ORDER BY last_heartbeat ASC, name
        LIMIT $2`,
      [HEARTBEAT_AGE_CAP_SECONDS, maxHosts],
    );
    return {
      reporting: Number(states.rows[0]?.reporting ?? 0),
      silent: Number(states.rows[0]?.silent ?? 0),
      rollupDeltasPending: Number(states.rows[0]?.deltas ?? 0),
      agents: agents.rows.map((r) => ({
        name: r.name,
        heartbeatAgeSeconds: Math.max(0, r.age),
        health: r.health,
      })),
    };
  }
}
