import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pool, PoolClient } from 'pg';
import copyStreams from 'pg-copy-streams';
import { ROLLUP_TIERS } from './rollup-tiers.js';
import { VIOLATION_COLUMNS, toCopyText, violationIdentity, type ViolationRow } from './violation-row.js';

const stored = VIOLATION_COLUMNS.map(([name]) => name).filter((n) => n !== 'micros');

/** Per connection; emptied at each commit. */
const CREATE_STAGING_SQL = `CREATE TEMP TABLE IF NOT EXISTS violations_staging (
  ${VIOLATION_COLUMNS.map(([name, type]) => `${name} ${type}`).join(',\n  ')}
) ON COMMIT DELETE ROWS`;

const COPY_SQL = `COPY violations_staging (${VIOLATION_COLUMNS.map(([name]) => name).join(', ')}) FROM STDIN`;

/** Adds rows to each rollup tier, grouped in key order so that concurrent batches lock counters in the same order. */
function rollupCtes(from: string): string {
  return ROLLUP_TIERS.map(
    ({ table, minutes }, i) => `rollup${i} AS (
  INSERT INTO ${table} AS c (minute, host_id, action, syscall_name, exe, container_id, source, count)
  SELECT date_bin('${minutes} minutes', observed_at, timestamptz 'epoch'), host_id, action,
         coalesce(syscall_name, ''), coalesce(exe, ''), coalesce(container_id, ''), source, count(*)
  FROM ${from}
  GROUP BY 1, 2, 3, 4, 5, 6, 7
  ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT ON CONSTRAINT ${table}_pkey DO UPDATE SET count = c.count + excluded.count
)`,
  ).join(',\n');
}

const SELECT_STAGED = `SELECT timestamptz 'epoch' + micros * interval '1 microsecond' AS observed_at, ${stored.join(', ')}
  FROM violations_staging`;

/**
 * The usual case, a batch of new events: a plain INSERT (cheaper than ON CONFLICT's speculative
 * insertion) and the rollups straight from the staged rows. A unique violation sends the batch
 * to STORE_DEDUPED_SQL instead.
 */
const STORE_NEW_SQL = `
WITH staged AS MATERIALIZED (${SELECT_STAGED}),
ins AS (INSERT INTO violations (observed_at, ${stored.join(', ')}) SELECT * FROM staged),
${rollupCtes('staged')}
SELECT count(*)::int AS n FROM staged`;

/** Skips rows already stored, and counts in the rollups only the rows really inserted. */
const STORE_DEDUPED_SQL = `
WITH ins AS (
  INSERT INTO violations (observed_at, ${stored.join(', ')})
  ${SELECT_STAGED}
  ON CONFLICT DO NOTHING
  RETURNING host_id, event_key, observed_at, action, syscall_name, exe, container_id, source
),
${rollupCtes('ins')}
SELECT host_id, event_key, (extract(epoch FROM observed_at) * 1000000)::bigint::text AS micros FROM ins`;

const UNIQUE_VIOLATION = '23505';

/** Connections whose session already has the staging table. */
const staged = new WeakSet<PoolClient>();

/** Writes ingest batches: the hot path, COPY into a staging table then one INSERT ... SELECT. */
export class ViolationWriterRepository {
  constructor(private readonly pool: Pool) {}

  /**
   * Stores `rows` all or nothing and answers the identities (see violationIdentity) of the rows
   * that were new. Rows must already be free of in-batch repeats.
   */
  async storeBatch(rows: readonly ViolationRow[]): Promise<Set<string>> {
    const inserted = new Set<string>();
    if (rows.length === 0) return inserted;
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query(staged.has(client) ? 'BEGIN' : `BEGIN; ${CREATE_STAGING_SQL}`);
      await pipeline(Readable.from([toCopyText(rows)]), client.query(copyStreams.from(COPY_SQL)));
      await client.query('SAVEPOINT plain_insert');
      try {
        await client.query(STORE_NEW_SQL);
        for (const r of rows) inserted.add(violationIdentity(r.hostId, r.event.eventKey, r.micros));
      } catch (error) {
        if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
        await client.query('ROLLBACK TO SAVEPOINT plain_insert');
        const result = await client.query<{ host_id: string; event_key: string; micros: string }>(
          STORE_DEDUPED_SQL,
        );
        for (const r of result.rows) inserted.add(violationIdentity(r.host_id, r.event_key, r.micros));
      }
      await client.query('COMMIT');
      staged.add(client);
      return inserted;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw error;
    } finally {
      client.release(broken);
    }
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
