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

/** Postgres COPY text format: backslash escapes for the four characters that would break a row. */
function copyText(s: string): string {
  // Four searches for one character each: a quarter of the time of one regular expression.
  return s.includes('\\') || s.includes('\t') || s.includes('\n') || s.includes('\r')
    ? s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'))
    : s;
}

/** One field of a COPY row: `\N` when absent; numbers and booleans never need escaping. */
function copyField(v: unknown): string {
  if (v === undefined || v === null) return '\\N';
  if (typeof v === 'string') return copyText(v);
  if (typeof v === 'boolean') return v ? 't' : 'f';
  return copyText(String(v));
}

/**
 * The rows in COPY text format for `violations` itself, in VIOLATION_COLUMNS order with the
 * time written as a timestamptz. Yields about `rowsPerChunk` rows at
 * a time so that the whole batch never exists as one string (nor any string large enough for
 * V8's large-object space).
 */
export function* copyChunks(rows: readonly ViolationRow[], rowsPerChunk = 100): Generator<string> {
  for (let i = 0; i < rows.length; i += rowsPerChunk) {
    const lines: string[] = [];
    for (let j = i; j < Math.min(rows.length, i + rowsPerChunk); j++) lines.push(copyLine(rows[j]));
    yield lines.join('');
  }
}

/**
 * One row in COPY text format: the fields of columnValues (the same columns in the same order),
 * read straight from the event without an array per row, the time as a timestamptz.
 */
function copyLine(row: ViolationRow): string {
  const { event: e } = row;
  const p = e.process;
  const c = e.container;
  const s = e.syscall;
  const head = `${copyField(row.hostId)}\t${copyField(e.eventKey)}\t${formatObservedAt(row.micros)}\t${copyField(e.source)}\t${copyField(e.kind)}\t${copyField(e.action)}\t${copyField(e.blocked)}\t`;
  const syscall =
    s === undefined
      ? '\\N\t\\N\t\\N\t\\N\t'
      : `${copyField(s.arch)}\t${copyField(s.nr)}\t${copyField(s.name)}\t${copyField(s.compat)}\t`;
  const process =
    p === undefined
      ? '\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t'
      : `${copyField(p.pid)}\t${copyField(p.tid)}\t${copyField(p.ppid)}\t${copyField(p.uid)}\t${copyField(p.gid)}\t${copyField(p.auid)}\t${copyField(p.ses)}\t${copyField(p.comm)}\t${copyField(p.exe)}\t${copyField(p.cmdline)}\t`;
  const container =
    c === undefined
      ? '\\N\t\\N\t\\N\t\\N\t\\N\t'
      : `${copyField(c.id)}\t${copyField(c.name)}\t${copyField(c.image)}\t${copyField(c.pod)}\t${copyField(c.namespace)}\t`;
  const tail = `${copyField(e.errno?.nr)}\t${copyField(e.errno?.name)}\t${copyField(e.signal?.nr)}\t${copyField(e.signal?.name)}\t${copyField(e.policy)}\t${copyField(e.rule)}\t${copyField(e.severity)}\t${copyField(e.bootId)}\t${copyField(e.details === undefined ? undefined : JSON.stringify(e.details))}\t${copyField(e.raw)}\n`;
  return head + syscall + process + container + tail;
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

/** Why Postgres would refuse `v` in an int column, if it would. */
function int32Problem(name: string, v: unknown): string | undefined {
  if (v === undefined || (Number.isInteger(v) && (v as number) >= INT32_MIN && (v as number) <= INT32_MAX)) {
    return undefined;
  }
  return `${name} must be a 32-bit integer, got ${JSON.stringify(v)}`;
}

/** Why Postgres would refuse `v` as a whole number in a bigint column, if it would. */
function idProblem(name: string, v: unknown): string | undefined {
  return v === undefined || Number.isSafeInteger(v)
    ? undefined
    : `${name} must be a whole number, got ${JSON.stringify(v)}`;
}

/**
 * Why Postgres would refuse this event's numbers, if it would: checked before the batch is
 * written, so that one bad event is rejected alone instead of failing the whole batch. The
 * first problem found, in the order syscall.nr, process pid/tid/ppid, errno.nr, signal.nr,
 * then process uid/gid/auid/ses.
 */
export function numericProblem(e: SecurityEvent): string | undefined {
  const p = e.process;
  return (
    int32Problem('syscall.nr', e.syscall?.nr) ??
    int32Problem('process.pid', p?.pid) ??
    int32Problem('process.tid', p?.tid) ??
    int32Problem('process.ppid', p?.ppid) ??
    int32Problem('errno.nr', e.errno?.nr) ??
    int32Problem('signal.nr', e.signal?.nr) ??
    idProblem('process.uid', p?.uid) ??
    idProblem('process.gid', p?.gid) ??
    idProblem('process.auid', p?.auid) ??
    idProblem('process.ses', p?.ses)
  );
}
