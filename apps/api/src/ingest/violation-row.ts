import type { SecurityEvent } from '@sandtrap/events';
import { formatObservedAt } from './observed-at.js';

/** One event ready for storage: its host resolved to an id and its time to exact microseconds. */
export interface ViolationRow {
  hostId: string;
  micros: number;
  event: SecurityEvent;
}

/** Identity of a stored row, as the unique key `(host_id, event_key, observed_at)` sees it. */
export function violationIdentity(hostId: string, eventKey: string, micros: number | string): string {
  return `${hostId}\u0000${eventKey}\u0000${micros}`;
}

const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** Postgres COPY text format: backslash escapes for the four characters that would break a row. */
function copyField(v: unknown): string {
  if (v === undefined || v === null) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  const s = typeof v === 'string' ? v : String(v);
  return NEEDS_ESCAPE.test(s)
    ? s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'))
    : s;
}

/**
 * The rows in COPY text format for `violations` itself, in VIOLATION_COLUMNS order with the
 * time written as a timestamptz. Yields about `rowsPerChunk` rows at
 * a time so that the whole batch never exists as one string (nor any string large enough for
 * V8's large-object space).
 */
export function* copyChunks(rows: readonly ViolationRow[], rowsPerChunk = 100): Generator<string> {
  for (let i = 0; i < rows.length; i += rowsPerChunk) {
    let out = '';
    for (let j = i; j < Math.min(rows.length, i + rowsPerChunk); j++) {
      const values = columnValues(rows[j]);
      values[2] = formatObservedAt(rows[j].micros);
      out += copyLine(values);
    }
    yield out;
  }
}

function copyLine(values: unknown[]): string {
  let line = copyField(values[0]);
  for (let k = 1; k < values.length; k++) line += '\t' + copyField(values[k]);
  return line + '\n';
}

/**
 * The rows as one array per column, in VIOLATION_COLUMNS order, for
 * `unnest($1::uuid[], $2::text[], ...)`; absent values are null.
 */
export function columnArrays(rows: readonly ViolationRow[]): unknown[][] {
  const out = VIOLATION_COLUMNS.map(() => new Array<unknown>(rows.length));
  for (let j = 0; j < rows.length; j++) {
    const values = columnValues(rows[j]);
    for (let k = 0; k < values.length; k++) out[k][j] = values[k] ?? null;
  }
  return out;
}

function columnValues(row: ViolationRow): unknown[] {
  const { hostId, micros, event: e } = row;
  const p = e.process;
  const c = e.container;
  const s = e.syscall;
  return [
    hostId,
    e.eventKey,
    micros,
    e.source,
    e.kind,
    e.action,
    e.blocked,
    s?.arch,
    s?.nr,
    s?.name,
    s?.compat,
    p?.pid,
    p?.tid,
    p?.ppid,
    p?.uid,
    p?.gid,
    p?.auid,
    p?.ses,
    p?.comm,
    p?.exe,
    p?.cmdline,
    c?.id,
    c?.name,
    c?.image,
    c?.pod,
    c?.namespace,
    e.errno?.nr,
    e.errno?.name,
    e.signal?.nr,
    e.signal?.name,
    e.policy,
    e.rule,
    e.severity,
    e.bootId,
    e.details === undefined ? undefined : JSON.stringify(e.details),
    e.raw,
  ];
}

/** Column name and its Postgres type in the staging table. */
export const VIOLATION_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['host_id', 'uuid'],
  ['event_key', 'text'],
  ['micros', 'bigint'],
  ['source', 'text'],
  ['kind', 'text'],
  ['action', 'text'],
  ['blocked', 'boolean'],
  ['syscall_arch', 'text'],
  ['syscall_nr', 'int'],
  ['syscall_name', 'text'],
  ['syscall_compat', 'boolean'],
  ['pid', 'int'],
  ['tid', 'int'],
  ['ppid', 'int'],
  ['uid', 'bigint'],
  ['gid', 'bigint'],
  ['auid', 'bigint'],
  ['ses', 'bigint'],
  ['comm', 'text'],
  ['exe', 'text'],
  ['cmdline', 'text'],
  ['container_id', 'text'],
  ['container_name', 'text'],
  ['container_image', 'text'],
  ['pod', 'text'],
  ['namespace', 'text'],
  ['errno', 'int'],
  ['errno_name', 'text'],
  ['signal', 'int'],
  ['signal_name', 'text'],
  ['policy', 'text'],
  ['rule', 'text'],
  ['severity', 'text'],
  ['boot_id', 'text'],
  ['details', 'jsonb'],
  ['raw', 'text'],
];

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * Why Postgres would refuse this event's numbers, if it would: checked before the batch is
 * written, so that one bad event is rejected alone instead of failing the whole batch.
 */
export function numericProblem(e: SecurityEvent): string | undefined {
  const p = e.process;
  const ints: Array<[string, unknown]> = [
    ['syscall.nr', e.syscall?.nr],
    ['process.pid', p?.pid],
    ['process.tid', p?.tid],
    ['process.ppid', p?.ppid],
    ['errno.nr', e.errno?.nr],
    ['signal.nr', e.signal?.nr],
  ];
  for (const [name, v] of ints) {
    if (
      v !== undefined &&
      !(Number.isInteger(v) && (v as number) >= INT32_MIN && (v as number) <= INT32_MAX)
    ) {
      return `${name} must be a 32-bit integer, got ${JSON.stringify(v)}`;
    }
  }
  const ids: Array<[string, unknown]> = [
    ['process.uid', p?.uid],
    ['process.gid', p?.gid],
    ['process.auid', p?.auid],
    ['process.ses', p?.ses],
  ];
  for (const [name, v] of ids) {
    if (v !== undefined && !Number.isSafeInteger(v))
      return `${name} must be a whole number, got ${JSON.stringify(v)}`;
  }
  return undefined;
}
