import type { ClientBase, Pool } from 'pg';
import { ROLLUP_TIERS, type RollupTable } from './rollup-tiers.js';

/**
 * The rollup deltas: what each stored batch adds to the rollup tiers, one row a batch, appended
 * in the batch's own transaction, and folded into the six tiers about once a second by
 * RollupFolder. A fold merges many batches' counts per key before it touches a counter, and
 * ingest's transactions no longer queue on the counters' row locks. Queries read a tier together
 * with the deltas not folded yet (`liveRollup`), so counts are exact the moment a batch commits.
 *
 * A row holds the batch's counts per minute and rollup key as eight parallel arrays: minutes
 * since the epoch, host id, action, syscall name, exe, container id, source (absent values as
 * ''), count.
 */
export const DELTA_TABLE = 'violation_rollup_deltas';

const DELTA_COLUMNS = 'minutes, host_ids, actions, syscall_names, exes, container_ids, sources, counts';
const DELTA_UNNEST = `unnest(d.minutes, d.host_ids, d.actions, d.syscall_names, d.exes, d.container_ids, d.sources, d.counts)
    AS r(m, host_id, action, syscall_name, exe, container_id, source, n)`;
const DIMENSIONS = 'minute, host_id, action, syscall_name, exe, container_id, source';

/** Appends one batch's counts: the eight arrays, as literals or arrays, in DELTA_COLUMNS' order. */
export const APPEND_DELTA_SQL = `INSERT INTO ${DELTA_TABLE} (${DELTA_COLUMNS})
  VALUES ($1::bigint[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[])`;

/**
 * The part of a statement that appends the counts of `from` (one row per minute and key, with
 * the columns `minute` as a timestamptz, the six dimensions and `n`) as one delta row; none when
 * `from` is empty.
 */
export function appendDeltaCte(name: string, from: string): string {
  return `${name} AS (
  INSERT INTO ${DELTA_TABLE} (${DELTA_COLUMNS})
  SELECT array_agg((extract(epoch FROM minute) / 60)::bigint), array_agg(host_id), array_agg(action),
         array_agg(syscall_name), array_agg(exe), array_agg(container_id), array_agg(source), array_agg(n)
  FROM ${from} HAVING count(*) > 0
)`;
}

/**
 * Adds `n` per key of `from` (which has the wide rollup's columns) to every tier, each in key
 * order so that two folds at once lock the same counters in the same order.
 */
function rollupCtes(from: string): string {
  return ROLLUP_TIERS.map(({ table, minutes, narrow }, i) => {
    const bucket = `date_bin('${minutes} minutes', minute, timestamptz 'epoch')`;
    const keys = narrow ? 3 : 7;
    const columns = narrow ? 'minute, host_id, action' : DIMENSIONS;
    const select = narrow
      ? `${bucket}, host_id, action`
      : `${bucket}, host_id, action, syscall_name, exe, container_id, source`;
    const order = Array.from({ length: keys }, (_, k) => k + 1).join(', ');
    return `rollup${i} AS (
  INSERT INTO ${table} AS c (${columns}, count)
  SELECT ${select}, sum(n) FROM ${from}
  GROUP BY ${order} ORDER BY ${order}
  ON CONFLICT ON CONSTRAINT ${table}_pkey DO UPDATE SET count = c.count + excluded.count
)`;
  }).join(',\n');
}

/** Any number, the same in every replica: one fold at a time. */
export const FOLD_LOCK_KEY = 0x5a4e_7201;

/**
 * One statement, so one transaction: waits for any fold under way (another replica's), takes
 * every delta row committed before it started, and adds their counts to every tier. A row is
 * taken by one fold only (one that began before the other's commit finds it gone); rows
 * committed meanwhile are left for the next. Answers the rows taken and the events they count.
 */
const FOLD_SQL = `
WITH turn AS (SELECT pg_advisory_xact_lock(${FOLD_LOCK_KEY})),
moved AS (
  DELETE FROM ${DELTA_TABLE} WHERE EXISTS (SELECT FROM turn) RETURNING ${DELTA_COLUMNS}
),
counted AS (
  SELECT timestamptz 'epoch' + r.m * interval '1 minute' AS minute, r.host_id, r.action, r.syscall_name, r.exe,
         r.container_id, r.source, sum(r.n) AS n
  FROM moved d, ${DELTA_UNNEST}
  GROUP BY 1, 2, 3, 4, 5, 6, 7
),
${rollupCtes('counted')}
SELECT (SELECT count(*) FROM moved)::int AS rows, (SELECT coalesce(sum(n), 0) FROM counted)::bigint::text AS events`;

export interface Fold {
  /** Delta rows (batches) folded. */
  rows: number;
  /** Events they counted. */
  events: number;
}

/** Folds every delta row committed before the call into the rollup tiers (see FOLD_SQL). */
export async function foldRollupDeltas(db: Pool | ClientBase): Promise<Fold> {
  const { rows } = await db.query<{ rows: number; events: string }>({ name: 'fold-rollups', text: FOLD_SQL });
  return { rows: rows[0].rows, events: Number(rows[0].events) };
}

/**
 * A tier as queries read it: its rows, and the deltas not folded yet at minute grain (the
 * pieces read from a tier are whole buckets of it, and series' buckets are whole multiples of
 * it, so a minute falls in the same piece and bucket as its tier's bucket would).
 */
export function liveRollup(table: RollupTable): string {
  const narrow = ROLLUP_TIERS.find((t) => t.table === table)!.narrow;
  const columns = narrow ? 'minute, host_id, action' : DIMENSIONS;
  const deltaColumns = narrow
    ? 'r.host_id, r.action'
    : 'r.host_id, r.action, r.syscall_name, r.exe, r.container_id, r.source';
  return `(SELECT ${columns}, count FROM ${table}
    UNION ALL
    SELECT timestamptz 'epoch' + r.m * interval '1 minute', ${deltaColumns}, r.n
    FROM ${DELTA_TABLE} d, ${DELTA_UNNEST})`;
}
