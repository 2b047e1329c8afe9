import type { Pool, PoolClient } from 'pg';
import { foldRollupDeltas } from '../ingest/rollup-deltas.js';
import { ROLLUP_TIERS } from '../ingest/rollup-tiers.js';

const DAY_MS = 86_400_000;
/** Key of the advisory lock that serialises partition DDL across API replicas. */
const PARTITION_LOCK_KEY = 7_301_001;

/** `violations_p20261129` for the UTC day starting at `dayMs`. */
export function partitionName(dayMs: number): string {
  return `violations_p${new Date(dayMs).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

function dayOfPartition(name: string): number | undefined {
  const m = /^violations_p(\d{4})(\d{2})(\d{2})$/.exec(name);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : undefined;
}

/** Daily partitions of `violations` (DDL), and the retention of the rollup. */
export class PartitionRepository {
  constructor(private readonly pool: Pool) {}

  /** The UTC days (as epoch milliseconds) that have a partition. */
  async listDays(): Promise<Set<number>> {
    const { rows } = await this.pool.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'violations'::regclass`,
    );
    const days = new Set<number>();
    for (const r of rows) {
      const day = dayOfPartition(r.name);
      if (day !== undefined) days.add(day);
    }
    return days;
  }

  /** Creates the partitions of `days` (epoch ms, UTC midnights) that are missing. */
  /**
   * ANALYZEs the partitions of violations that were never analyzed and have had at least
   * `minChanges` rows written; answers their names. A day's partition is empty until its day
   * starts, and until autovacuum first analyzes it the planner guesses its row counts (a page of
   * `?action=` then sorts the whole day instead of walking the time index).
   */
  async analyzeNeverAnalyzed(minChanges: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ name: string }>(
      `SELECT s.relname AS name FROM pg_stat_user_tables s
       JOIN pg_inherits i ON i.inhrelid = s.relid
       WHERE i.inhparent = 'violations'::regclass AND s.last_analyze IS NULL
         AND s.last_autoanalyze IS NULL AND s.n_mod_since_analyze >= $1`,
      [minChanges],
    );
    // Only names of our own shape reach the statement (identifiers cannot be parameters).
    const names = rows.map((r) => r.name).filter((name) => dayOfPartition(name) !== undefined);
    for (const name of names) await this.pool.query(`ANALYZE ${name}`);
    return names;
  }

  async createDays(days: readonly number[]): Promise<void> {
    if (days.length === 0) return;
    await this.underLock(async (client) => {
      for (const day of [...days].sort((a, b) => a - b)) {
        const from = new Date(day).toISOString();
        const to = new Date(day + DAY_MS).toISOString();
        // Names and bounds come from numbers formatted here, never from request input.
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${partitionName(day)} PARTITION OF violations
           FOR VALUES FROM ('${from}') TO ('${to}')`,
        );
      }
    });
  }

  /** Drops whole partitions of days before `beforeDayMs`; answers their names. */
  async dropDaysBefore(beforeDayMs: number): Promise<string[]> {
    const old = [...(await this.listDays())].filter((d) => d < beforeDayMs).sort((a, b) => a - b);
    if (old.length === 0) return [];
    await this.underLock(async (client) => {
      for (const day of old) await client.query(`DROP TABLE IF EXISTS ${partitionName(day)}`);
    });
    return old.map(partitionName);
  }

  /**
   * Deletes rollup minutes before `before`; answers how many rows went. The deltas are folded
   * first, so that none of theirs comes back after.
   */
  async pruneRollupBefore(before: Date): Promise<number> {
    await foldRollupDeltas(this.pool);
    let pruned = 0;
    for (const { table } of ROLLUP_TIERS) {
      const result = await this.pool.query(`DELETE FROM ${table} WHERE minute < $1`, [before]);
      pruned += result.rowCount ?? 0;
    }
    return pruned;
  }

  private async underLock(work: (client: PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK_KEY]);
      await work(client);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
