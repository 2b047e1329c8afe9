import type { Pool } from 'pg';
import { formatObservedAt } from '../ingest/observed-at.js';
import { liveRollup } from '../ingest/rollup-deltas.js';
import { ROLLUP_TIERS, type RollupTable } from '../ingest/rollup-tiers.js';
import {
  filterTerms,
  narrowRollupCanAnswer,
  rollupCanAnswer,
  type ViolationFilter,
} from './violation-filter.js';
import type { ViolationRecord } from './violation-record.js';

export interface PageKey {
  micros: string;
  hostId: string;
  eventKey: string;
}

export type StatsDimension = 'syscall' | 'host' | 'action' | 'exe' | 'container' | 'source';

const DIMENSION_COLUMN: Record<StatsDimension, string> = {
  syscall: 'syscall_name',
  host: 'host_id',
  action: 'action',
  exe: 'exe',
  container: 'container_id',
  source: 'source',
};

const MINUTE = 60_000_000;

const ts = (micros: number) => formatObservedAt(micros);

/** A stretch of [from, to) and where its counts come from: a rollup tier, or the rows. */
interface Piece {
  table: RollupTable | 'violations';
  from: number;
  to: number;
}

/**
 * Covers [from, to) with the coarsest rollup buckets that fit inside it, finer tiers towards
 * the edges, and the rows for the partial minutes at the very edges.
 */
function cover(
  from: number,
  to: number,
  tiers: ReadonlyArray<{ table: RollupTable; minutes: number }>,
): Piece[] {
  if (from >= to) return [];
  if (tiers.length === 0) return [{ table: 'violations', from, to }];
  const [tier, ...finer] = tiers;
  const unit = tier.minutes * MINUTE;
  const a = Math.ceil(from / unit) * unit;
  const b = Math.floor(to / unit) * unit;
  if (a >= b) return cover(from, to, finer);
  return [...cover(from, a, finer), { table: tier.table, from: a, to: b }, ...cover(b, to, finer)];
}

/**
 * The tiers usable for counts keyed by `column` in buckets of `intervalMinutes`: those whose
 * buckets nest in them, narrow ones when the filter and the key need only host and action.
 */
function tiersFor(f: ViolationFilter, column: string, intervalMinutes?: number) {
  if (!rollupCanAnswer(f)) return [];
  const narrow = narrowRollupCanAnswer(f) && (column === 'action' || column === 'host_id');
  return ROLLUP_TIERS.filter(
    (t) => t.narrow === narrow && (intervalMinutes === undefined || intervalMinutes % t.minutes === 0),
  );
}

/** Reads of stored violations: pages, top-N counts and time series. */
export class ViolationQueryRepository {
  constructor(private readonly pool: Pool) {}

  /** Host ids of the given names (names never seen have none). */
  async hostIds(names: string[]): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      'SELECT id FROM hosts WHERE name = ANY($1::text[])',
      [names],
    );
    return rows.map((r) => r.id);
  }

  /** Newest first, keyset-paginated on (observed_at, host_id, event_key). */
  async page(
    f: ViolationFilter,
    hostIds: string[] | undefined,
    after: PageKey | undefined,
    limit: number,
  ): Promise<Array<ViolationRecord & { micros: string }>> {
    const params: unknown[] = [];
    const terms = filterTerms(f, params, hostIds).map((t) => `v.${t}`);
    if (f.fromMicros !== undefined)
      terms.push(`v.observed_at >= $${params.push(ts(f.fromMicros))}::timestamptz`);
    if (f.toMicros !== undefined) terms.push(`v.observed_at < $${params.push(ts(f.toMicros))}::timestamptz`);
    if (after) {
      const t = params.push(after.micros);
      const h = params.push(after.hostId);
      const k = params.push(after.eventKey);
      terms.push(
        `(v.observed_at, v.host_id, v.event_key) < (timestamptz 'epoch' + $${t}::bigint * interval '1 microsecond', $${h}::uuid, $${k}::text)`,
      );
    }
    params.push(limit);
    const { rows } = await this.pool.query<ViolationRecord & { micros: string }>(
      `SELECT v.*, h.name AS host_name, (extract(epoch FROM v.observed_at) * 1000000)::bigint::text AS micros
       FROM violations v JOIN hosts h ON h.id = v.host_id
       ${terms.length ? `WHERE ${terms.join(' AND ')}` : ''}
       ORDER BY v.observed_at DESC, v.host_id DESC, v.event_key DESC
       LIMIT $${params.length}`,
      params,
    );
    return rows;
  }

  /** Top-N counts by one dimension over [from, to). Keys of absent values are null. */
  async stats(
    f: ViolationFilter & { fromMicros: number; toMicros: number },
    hostIds: string[] | undefined,
    by: StatsDimension,
    limit: number,
  ): Promise<Array<{ key: string | null; count: number }>> {
    const col = DIMENSION_COLUMN[by];
    const params: unknown[] = [];
    const parts = this.countParts(f, hostIds, params, col, `coalesce(${col}::text, '')`);
    params.push(limit);
    const keyExpr = by === 'host' ? `(SELECT name FROM hosts WHERE id::text = c.key)` : `nullif(c.key, '')`;
    const { rows } = await this.pool.query<{ key: string | null; count: string }>(
      `SELECT ${keyExpr} AS key, sum(c.n)::bigint AS count
       FROM (${parts.join(' UNION ALL ')}) c
       GROUP BY c.key ORDER BY count DESC, c.key LIMIT $${params.length}`,
      params,
    );
    return rows.map((r) => ({ key: r.key, count: Number(r.count) }));
  }

  /** Counts per bucket of `intervalMinutes` and action over [from, to). */
  async timeseries(
    f: ViolationFilter & { fromMicros: number; toMicros: number },
    hostIds: string[] | undefined,
    intervalMinutes: number,
  ): Promise<Array<{ startMicros: number; action: string; count: number }>> {
    const params: unknown[] = [];
    params.push(`${intervalMinutes} minutes`);
    const expr = (col: string) => `date_bin($1::interval, ${col}, timestamptz 'epoch')`;
    const parts = this.countParts(f, hostIds, params, 'action', 'action', { minutes: intervalMinutes, expr });
    const { rows } = await this.pool.query<{ start: string; key: string; count: string }>(
      `SELECT (extract(epoch FROM c.bucket) * 1000000)::bigint::text AS start, c.key, sum(c.n)::bigint AS count
       FROM (${parts.join(' UNION ALL ')}) c
       GROUP BY c.bucket, c.key ORDER BY c.bucket, c.key`,
      params,
    );
    return rows.map((r) => ({ startMicros: Number(r.start), action: r.key, count: Number(r.count) }));
  }

  /** SELECT parts yielding (key, n[, bucket]) from the rollup tiers and from rows at the edges. */
  private countParts(
    f: ViolationFilter & { fromMicros: number; toMicros: number },
    hostIds: string[] | undefined,
    params: unknown[],
    keyColumn: string,
    keyExpr: string,
    bucket?: { minutes: number; expr: (col: string) => string },
  ): string[] {
    const where = filterTerms(f, params, hostIds);
    const groupBy = bucket ? 'GROUP BY 1, 3' : 'GROUP BY 1';
    return cover(f.fromMicros, f.toMicros, tiersFor(f, keyColumn, bucket?.minutes)).map((piece) => {
      const a = params.push(ts(piece.from));
      const b = params.push(ts(piece.to));
      const raw = piece.table === 'violations';
      const col = raw ? 'observed_at' : 'minute';
      // Filters on rollup dimensions compare with '' for absent values, as the rollups store them.
      const terms = [...where, `${col} >= $${a}::timestamptz`, `${col} < $${b}::timestamptz`];
      const n = raw ? 'count(*)' : 'sum(count)';
      const bucketCol = bucket ? `, ${bucket.expr(col)} AS bucket` : '';
      // A tier is read with its deltas not folded yet (rollup-deltas.ts).
      const from =
        piece.table === 'violations' ? 'violations' : `${liveRollup(piece.table)} AS ${piece.table}`;
      return `SELECT ${keyExpr} AS key, ${n} AS n${bucketCol} FROM ${from} WHERE ${terms.join(' AND ')} ${groupBy}`;
    });
  }
}
