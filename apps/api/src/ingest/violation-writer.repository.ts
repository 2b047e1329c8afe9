import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pool, PoolClient } from 'pg';
import copyStreams from 'pg-copy-streams';
import { ScannedEvent } from './scanned-event.js';
import { violationIdentity } from './violation-identity.js';
import type { EventShape } from './ingest-batch.js';
import { APPEND_DELTA_SQL, appendDeltaCte } from './rollup-deltas.js';
import { VIOLATION_COLUMNS, columnArrays, copyData, type ViolationRow } from './violation-row.js';

/** An event to store: its host is `event.host`, resolved to an id by storeBatch. */
export interface BatchEvent {
  micros: number;
  event: ViolationRow['event'];
}

export interface StoredBatch {
  /** Per event of the batch, in order: whether it was new (false: already stored). */
  inserted: boolean[];
  /** The id of every host of the batch, including the ones this batch created. */
  hostIds: Map<string, string>;
}

/**
 * From this many events a batch of known hosts is sent by COPY straight into `violations`
 * (measured: about 1.6x the rows a second of the one-statement path at 5,000 events, and slower
 * at 50 because it costs four round trips instead of one).
 */
export const COPY_MIN_EVENTS = 1000;

const stored = VIOLATION_COLUMNS.map(([name]) => name).filter((n) => n !== 'micros');
const COPY_COLUMNS = VIOLATION_COLUMNS.map(([n]) => (n === 'micros' ? 'observed_at' : n)).join(', ');
const COPY_SQL = `COPY violations (${COPY_COLUMNS}) FROM STDIN WITH (FORMAT binary)`;

/**
 * A large batch some of whose rows are stored already (a resend) goes by COPY into this table of
 * the connection's own, then into `violations` by one INSERT that skips what is there: the rows
 * never become JavaScript values (see copyDeduplicated). Emptied at every commit.
 */
const STAGING = 'violations_staging';
const CREATE_STAGING_SQL = `CREATE TEMP TABLE IF NOT EXISTS ${STAGING} (LIKE violations INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`;
const COPY_STAGING_SQL = `COPY ${STAGING} (${COPY_COLUMNS}) FROM STDIN WITH (FORMAT binary)`;

/**
 * One statement, so one round trip: inserts the rows of `source` (a SELECT of the stored columns)
 * not stored yet, appends exactly those to the rollup deltas, and answers how many were new and,
 * only when some were not (fewer than $`batchSizeParam`), which ones.
 */
function storeSql(source: string, batchSizeParam: number): string {
  return `
WITH ins AS (
  INSERT INTO violations (observed_at, ${stored.join(', ')})
  ${source}
  ON CONFLICT DO NOTHING
  RETURNING host_id, event_key, observed_at, action, syscall_name, exe, container_id, source
),
counted AS (
  SELECT date_bin('1 minute', observed_at, timestamptz 'epoch') AS minute, host_id, action,
         coalesce(syscall_name, '') AS syscall_name, coalesce(exe, '') AS exe,
         coalesce(container_id, '') AS container_id, source, count(*) AS n
  FROM ins GROUP BY 1, 2, 3, 4, 5, 6, 7
),
${appendDeltaCte('delta', 'counted')},
total AS (SELECT coalesce(sum(n), 0)::int AS n FROM counted)
SELECT total.n, CASE WHEN total.n < $${batchSizeParam} THEN (
  SELECT json_agg(json_build_array(host_id, event_key, (extract(epoch FROM observed_at) * 1000000)::bigint::text))
  FROM ins) END AS inserted
FROM total`;
}

/** The rows of the parameters' arrays, one per column: the path of small batches. */
const STORE_SQL = storeSql(
  `SELECT timestamptz 'epoch' + micros * interval '1 microsecond', ${stored.join(', ')}
  FROM unnest(${VIOLATION_COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})
    AS r(${VIOLATION_COLUMNS.map(([name]) => name).join(', ')})`,
  VIOLATION_COLUMNS.length + 1,
);

/** The rows COPY put in the staging table. */
const STORE_STAGED_SQL = storeSql(`SELECT observed_at, ${stored.join(', ')} FROM ${STAGING}`, 1);

const CREATE_HOSTS_SQL = `INSERT INTO hosts (name) SELECT unnest($1::text[]) ORDER BY 1
  ON CONFLICT ON CONSTRAINT hosts_name_key DO UPDATE SET last_seen = greatest(hosts.last_seen, now())
  RETURNING id, name`;

const UNIQUE_VIOLATION = '23505';
const MINUTE_MICROS = 60_000_000;

/**
 * Writes ingest batches, all or nothing. The usual batch (known hosts) costs one round trip, or
 * for large batches a COPY straight into `violations` plus one row of rollup deltas. A batch naming
 * a host never seen creates it in the same transaction, so a failed batch leaves nothing behind.
 */
export class ViolationWriterRepository {
  constructor(private readonly pool: Pool) {}

  /**
   * Stores `events` (already free of in-batch repeats) with the host ids in `known`; hosts not
   * in it are created. Answers which events were new and the ids of all the batch's hosts.
   */
  async storeBatch(events: readonly BatchEvent[], known: ReadonlyMap<string, string>): Promise<StoredBatch> {
    const hostIds = new Map<string, string>();
    const unknown = new Set<string>();
    for (const { event } of events) {
      const id = known.get(event.host);
      if (id === undefined) unknown.add(event.host);
      else hostIds.set(event.host, id);
    }
    if (events.length === 0) return { inserted: [], hostIds };
    if (unknown.size > 0) return this.withNewHosts(events, hostIds, [...unknown]);

    const rows = events.map((e) => rowOf(e, hostIds.get(e.event.host)!));
    if (rows.length < COPY_MIN_EVENTS) return { inserted: await this.store(this.pool, rows), hostIds };
    if (await this.tryCopy(rows)) return { inserted: rows.map(() => true), hostIds };
    return { inserted: await this.transaction((client) => this.copyDeduplicated(client, rows)), hostIds };
  }

  /** Marks hosts seen now; answers the ids that still exist. */
  async touchHosts(ids: readonly string[]): Promise<Set<string>> {
    const { rows } = await this.pool.query<{ id: string }>(
      'UPDATE hosts SET last_seen = greatest(last_seen, now()) WHERE id = ANY($1::uuid[]) RETURNING id',
      [ids],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** The one-statement path; `db` is the pool (own transaction) or a client inside one. */
  private async store(db: Pool | PoolClient, rows: readonly ViolationRow[]): Promise<boolean[]> {
    const result = await db.query<StoreAnswer>({
      name: 'store-violations',
      text: STORE_SQL,
      values: [...columnArrays(rows), rows.length],
    });
    return insertedOf(rows, result.rows[0]);
  }

  /**
   * A large batch of which some rows are stored already, on `client` inside its transaction: by
   * COPY into the connection's staging table, then one INSERT of what is new. A full resend
   * costs what its first sending did, with none of its values made into strings.
   */
  private async copyDeduplicated(client: PoolClient, rows: readonly ViolationRow[]): Promise<boolean[]> {
    if (!stagingReady.has(client)) {
      await client.query(CREATE_STAGING_SQL);
      stagingReady.add(client);
    }
    await pipeline(Readable.from(copyData(rows)), client.query(copyStreams.from(COPY_STAGING_SQL)));
    const result = await client.query<StoreAnswer>({
      name: 'store-staged-violations',
      text: STORE_STAGED_SQL,
      values: [rows.length],
    });
    return insertedOf(rows, result.rows[0]);
  }

  /**
   * COPY into `violations` and its rollup delta in one transaction. Answers false, having written
   * nothing, when some row was already stored: the caller then takes the deduplicating path.
   */
  private async tryCopy(rows: readonly ViolationRow[]): Promise<boolean> {
    return this.transaction((client) => this.copyRows(client, rows));
  }

  /**
   * COPY and the rollup delta on `client`, inside its transaction. Answers false when some row was
   * already stored; with `savepoint`, having undone the COPY, so the transaction goes on.
   */
  private async copyRows(
    client: PoolClient,
    rows: readonly ViolationRow[],
    savepoint = false,
  ): Promise<boolean> {
    if (savepoint) await client.query('SAVEPOINT copy_rows');
    try {
      await pipeline(Readable.from(copyData(rows)), client.query(copyStreams.from(COPY_SQL)));
    } catch (error) {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      if (savepoint) await client.query('ROLLBACK TO SAVEPOINT copy_rows');
      return false;
    }
    await client.query({
      name: 'append-rollup-delta',
      text: APPEND_DELTA_SQL,
      values: arrayLiterals(minuteCounts(rows)),
    });
    return true;
  }

  private async withNewHosts(
    events: readonly BatchEvent[],
    hostIds: Map<string, string>,
    names: string[],
  ): Promise<StoredBatch> {
    return this.transaction(async (client) => {
      const created = await client.query<{ id: string; name: string }>(CREATE_HOSTS_SQL, [names.sort()]);
      for (const r of created.rows) hostIds.set(r.name, r.id);
      const rows = events.map((e) => rowOf(e, hostIds.get(e.event.host)!));
      // Hosts seen for the first time, or only by another replica or before a restart: a large
      // batch still goes by COPY, through the staging table when some of its rows are stored.
      if (rows.length < COPY_MIN_EVENTS) return { inserted: await this.store(client, rows), hostIds };
      if (await this.copyRows(client, rows, true)) return { inserted: rows.map(() => true), hostIds };
      return { inserted: await this.copyDeduplicated(client, rows), hostIds };
    });
  }

  /**
   * Runs `work` in one transaction. When `work` answers false it is rolled back instead (nothing
   * to keep); a connection whose rollback fails is thrown away.
   */
  private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const out = await work(client);
      await client.query(out === false ? 'ROLLBACK' : 'COMMIT');
      return out;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

/** Connections whose staging table exists (a temporary table lives as long as its connection). */
const stagingReady = new WeakSet<PoolClient>();

/** What storeSql's statements answer. */
interface StoreAnswer {
  n: number;
  inserted: Array<[string, string, string]> | null;
}

/** Per row, whether it was new, from what storeSql answered. */
function insertedOf(rows: readonly ViolationRow[], { n, inserted }: StoreAnswer): boolean[] {
  if (n === rows.length) return rows.map(() => true);
  const fresh = new Set((inserted ?? []).map(([h, k, m]) => violationIdentity(h, k, m)));
  return rows.map((r) => fresh.has(violationIdentity(r.hostId, r.event.eventKey, r.micros)));
}

/** The row of an event: a scanned event is its own row (its hostId set). */
function rowOf(e: BatchEvent, hostId: string): ViolationRow {
  if (e instanceof ScannedEvent) {
    e.hostId = hostId;
    return e;
  }
  return { hostId, micros: e.micros, event: e.event };
}

/**
 * A shape's rollup key for a host id: the six values joined with NUL, which none of them can hold
 * (ingest refuses it). Kept with the shape (scanned events' shapes live across batches), made
 * again only when its host got another id (a host retired and seen again).
 */
const rollupKeys = new WeakMap<EventShape, { hostId: string; key: string }>();

function rollupKey(e: EventShape, hostId: string): string {
  const kept = rollupKeys.get(e);
  if (kept !== undefined && kept.hostId === hostId) return kept.key;
  const key = `${hostId}\u0000${e.action}\u0000${e.syscall?.name ?? ''}\u0000${e.process?.exe ?? ''}\u0000${e.container?.id ?? ''}\u0000${e.source}`;
  rollupKeys.set(e, { hostId, key });
  return key;
}

/** The rows counted per minute and rollup key: a rollup delta's eight arrays (rollup-deltas.ts). */
export function minuteCounts(rows: readonly ViolationRow[]): unknown[][] {
  // First by object and minute: scanned events of one shape share their EventShape, so most
  // rows are counted without making a key (a whole event is its own object: counted alone).
  const byShape = new Map<EventShape, Map<number, { hostId: string; n: number }>>();
  for (const row of rows) {
    const e = row.event instanceof ScannedEvent ? row.event.shape : row.event;
    // The minute's number, not its microseconds: a small integer, which a Map key never boxes.
    const minute = Math.floor(row.micros / MINUTE_MICROS);
    let minutes = byShape.get(e);
    if (minutes === undefined) byShape.set(e, (minutes = new Map()));
    const group = minutes.get(minute);
    if (group) group.n++;
    else minutes.set(minute, { hostId: row.hostId, n: 1 });
  }
  // Then by rollup key and minute (shapes that differ elsewhere can share a rollup key).
  const counts = new Map<string, Map<number, { e: EventShape; hostId: string; n: number }>>();
  for (const [e, minutes] of byShape) {
    for (const [minute, { hostId, n }] of minutes) {
      const key = rollupKey(e, hostId);
      let byMinute = counts.get(key);
      if (byMinute === undefined) counts.set(key, (byMinute = new Map()));
      const group = byMinute.get(minute);
      if (group) group.n += n;
      else byMinute.set(minute, { e, hostId, n });
    }
  }
  const columns: unknown[][] = [[], [], [], [], [], [], [], []];
  for (const byMinute of counts.values()) {
    for (const [minute, { e, hostId, n }] of byMinute) {
      columns[0].push(minute);
      columns[1].push(hostId);
      columns[2].push(e.action);
      columns[3].push(e.syscall?.name ?? '');
      columns[4].push(e.process?.exe ?? '');
      columns[5].push(e.container?.id ?? '');
      columns[6].push(e.source);
      columns[7].push(n);
    }
  }
  return columns;
}

/** Quoted array elements by their text: a fleet's hosts, actions, syscalls, exes (bounded). */
const quotedElements = new Map<string, string>();
const QUOTED_MAX = 10_000;

function quotedElement(s: string): string {
  let quoted = quotedElements.get(s);
  if (quoted === undefined) {
    quoted = `"${s.replace(/[\\"]/g, '\\$&')}"`;
    if (quotedElements.size >= QUOTED_MAX) quotedElements.clear();
    quotedElements.set(s, quoted);
  }
  return quoted;
}

/**
 * minuteCounts' columns as Postgres array literals, text quoted once per distinct value: what
 * node-postgres would send, without the strings it makes per element of every array of every batch.
 */
export function arrayLiterals(columns: unknown[][]): string[] {
  return columns.map((values) =>
    typeof values[0] === 'number'
      ? `{${values.join(',')}}`
      : `{${(values as string[]).map(quotedElement).join(',')}}`,
  );
}
