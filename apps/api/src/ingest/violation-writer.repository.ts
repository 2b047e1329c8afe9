import type { Pool } from 'pg';
import { ROLLUP_TIERS } from './rollup-tiers.js';
import { VIOLATION_COLUMNS, toColumnArrays, violationIdentity, type ViolationRow } from './violation-row.js';

const stored = VIOLATION_COLUMNS.map(([name]) => name).filter((n) => n !== 'micros');

/**
 * One statement, hence one transaction: insert the batch, skip rows already stored, and add the
 * rows really inserted to each rollup tier. The rollup groups are written in key order so
 * that concurrent batches lock the same counters in the same order.
 */
const STORE_BATCH_SQL = `
WITH input AS (
  SELECT * FROM unnest(${VIOLATION_COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})
    AS t(${VIOLATION_COLUMNS.map(([name]) => name).join(', ')})
), ins AS (
  INSERT INTO violations (observed_at, ${stored.join(', ')})
  SELECT timestamptz 'epoch' + micros * interval '1 microsecond', ${stored.join(', ')}
  FROM input
  ON CONFLICT DO NOTHING
  RETURNING host_id, event_key, observed_at, action, syscall_name, exe, container_id, source
), ${ROLLUP_TIERS.map(
  ({ table, minutes }, i) => `rollup${i} AS (
  INSERT INTO ${table} AS c (minute, host_id, action, syscall_name, exe, container_id, source, count)
  SELECT date_bin('${minutes} minutes', observed_at, timestamptz 'epoch'), host_id, action,
         coalesce(syscall_name, ''), coalesce(exe, ''), coalesce(container_id, ''), source, count(*)
  FROM ins
  GROUP BY 1, 2, 3, 4, 5, 6, 7
  ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT ON CONSTRAINT ${table}_pkey DO UPDATE SET count = c.count + excluded.count
)`,
).join(', ')}
SELECT host_id, event_key, (extract(epoch FROM observed_at) * 1000000)::bigint::text AS micros FROM ins`;

/** Writes ingest batches: the hot path, in raw parameterised SQL. */
export class ViolationWriterRepository {
  constructor(private readonly pool: Pool) {}

  /**
   * Stores `rows` all or nothing and answers the identities (see violationIdentity) of the rows
   * that were new. Rows must already be free of in-batch repeats.
   */
  async storeBatch(rows: readonly ViolationRow[]): Promise<Set<string>> {
    const inserted = new Set<string>();
    if (rows.length === 0) return inserted;
    const result = await this.pool.query<{ host_id: string; event_key: string; micros: string }>(
      STORE_BATCH_SQL,
      toColumnArrays(rows),
    );
    for (const r of result.rows) inserted.add(violationIdentity(r.host_id, r.event_key, r.micros));
    return inserted;
  }

  /** Creates the hosts not seen before and marks all of them seen now; answers name -> id. */
  async upsertHosts(names: readonly string[]): Promise<Map<string, string>> {
    const result = await this.pool.query<{ id: string; name: string }>(
      `INSERT INTO hosts (name) SELECT DISTINCT unnest($1::text[]) ORDER BY 1
       ON CONFLICT ON CONSTRAINT hosts_name_key DO UPDATE SET last_seen = greatest(hosts.last_seen, now())
       RETURNING id, name`,
      [names],
    );
    return new Map(result.rows.map((r) => [r.name, r.id]));
  }
}
