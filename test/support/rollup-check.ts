import type pg from 'pg';
import { ROLLUP_TIERS } from '@sandtrap/api';

/** The rollup tiers whose counts do not agree with the stored rows, key by key (deltas not included). */
export async function rollupTiersDisagreeing(db: pg.Pool | pg.ClientBase): Promise<string[]> {
  const wrong: string[] = [];
  for (const { table, minutes, narrow } of ROLLUP_TIERS) {
    const keys = narrow
      ? 'host_id, action'
      : `host_id, action, coalesce(syscall_name, ''), coalesce(exe, ''), coalesce(container_id, ''), source`;
    const stored = narrow ? 'host_id, action' : 'host_id, action, syscall_name, exe, container_id, source';
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM (
         (SELECT date_bin('${minutes} minutes', observed_at, timestamptz 'epoch') AS minute, ${keys}, count(*) AS count
          FROM violations GROUP BY minute, ${keys}
          EXCEPT SELECT minute, ${stored}, count FROM ${table})
         UNION ALL
         (SELECT minute, ${stored}, count FROM ${table}
          EXCEPT SELECT date_bin('${minutes} minutes', observed_at, timestamptz 'epoch') AS minute, ${keys}, count(*) AS count
          FROM violations GROUP BY minute, ${keys})) d`,
    );
    if (Number(rows[0].n) !== 0) wrong.push(table);
  }
  return wrong;
}
