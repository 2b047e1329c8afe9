import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '../database/pg-pool.js';

/** Recorded seccomp events grouped by what a profile decides on and what a person acts on. */
export interface RecordedSyscallGroup {
  host: string;
  arch: string;
  nr: number | null;
  syscall: string | null;
  exe: string;
  container: string;
  action: string;
  blocked: boolean;
  count: number;
}

/** Bound on groups read for one simulation or generation. */
export const MAX_RECORDED_GROUPS = 200_000;

/** The seccomp events stored for some hosts and a time range, grouped (simulation, generation). */
@Injectable()
export class RecordedSyscallRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async groups(hostIds: string[], from: Date, to: Date): Promise<RecordedSyscallGroup[]> {
    const { rows } = await this.pool.query<RecordedSyscallGroup & { count: string }>(
      `SELECT h.name AS host, v.syscall_arch AS arch, v.syscall_nr AS nr, v.syscall_name AS syscall,
              coalesce(v.exe, '') AS exe, coalesce(v.container_id, '') AS container,
              v.action, v.blocked, count(*) AS count
       FROM violations v JOIN hosts h ON h.id = v.host_id
       WHERE v.host_id = ANY($1::uuid[]) AND v.observed_at >= $2 AND v.observed_at < $3
         AND v.kind = 'seccomp' AND v.syscall_arch IS NOT NULL
         AND (v.syscall_nr IS NOT NULL OR v.syscall_name IS NOT NULL)
       GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
       ORDER BY count(*) DESC
       LIMIT $4`,
      [hostIds, from, to, MAX_RECORDED_GROUPS],
    );
    return rows.map((r) => ({ ...r, count: Number(r.count) }));
  }
}
