import type { SecurityEvent } from '@sandtrap/events';
import { HOST_ID_BYTES, ScannedEvent } from './scanned-event.js';
import { formatObservedAt } from './observed-at.js';

/**
 * One event ready for storage: its host resolved to an id and its time to exact microseconds.
 * A scanned event brings its COPY text with it; its whole event is built only for the
 * one-statement path (columnArrays).
 */
export interface ViolationRow {
  hostId: string;
  micros: number;
  event: SecurityEvent | ScannedEvent;
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

const TAB = 0x09;
const NEWLINE = 0x0a;
const BACKSLASH = 0x5c;
const N = 0x4e;

/**
 * COPY text written straight into bytes, field by field: no string per row or chunk for the
 * garbage collector, and nothing left for the socket to encode.
 */
class CopyWriter {
  bytes: Buffer;
  at = 0;

  constructor(size: number) {
    this.bytes = Buffer.allocUnsafe(size);
  }

  /** Room for `n` more bytes: a row is never cut, the buffer grows instead. */
  private room(n: number): void {
    if (this.at + n <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.at + n));
    this.bytes.copy(grown, 0, 0, this.at);
    this.bytes = grown;
  }

  /** A string field (escaped), then a tab. */
  text(s: string): void {
    const escaped = copyText(s);
    this.room(escaped.length * 3 + 1); // UTF-8 takes at most 3 bytes per UTF-16 unit
    this.at += this.bytes.write(escaped, this.at);
    this.bytes[this.at++] = TAB;
  }

  /** Any field: `\N` when absent; numbers and booleans never need escaping. */
  field(v: unknown): void {
    if (v === undefined || v === null) {
      this.room(3);
      this.bytes[this.at++] = BACKSLASH;
      this.bytes[this.at++] = N;
      this.bytes[this.at++] = TAB;
    } else if (typeof v === 'string') this.text(v);
    else if (typeof v === 'boolean') this.text(v ? 't' : 'f');
    else this.text(String(v));
  }

  /** A scanned event's row: its host id, then the rest of the row as the scanner wrote it. */
  scanned(hostId: string, e: ScannedEvent): void {
    const start = e.copyStart + HOST_ID_BYTES;
    const id = copyText(hostId);
    this.room(id.length * 3 + e.copyEnd - start);
    this.at += this.bytes.write(id, this.at);
    this.at += e.copy.copy(this.bytes, this.at, start, e.copyEnd);
  }

  /** Ends the row: its last tab becomes the line feed. */
  endRow(): void {
    this.bytes[this.at - 1] = NEWLINE;
  }
}

/** Bytes a chunk of COPY text starts with (100 rows of an agent's events take about 45 KB). */
const CHUNK_BYTES = 64 * 1024;

/**
 * The rows in COPY text format for `violations` itself, in VIOLATION_COLUMNS order with the
 * time written as a timestamptz, as UTF-8 bytes. Yields `rowsPerChunk` whole rows at a time so
 * that the batch never exists as one buffer.
 */
export function* copyChunks(rows: readonly ViolationRow[], rowsPerChunk = 100): Generator<Buffer> {
  let i = 0;
  while (i < rows.length) {
    // Scanned rows that lie one after the other in one buffer go as they are, their host id
    // written into the room left for it: no bytes copied.
    const run = scannedRun(rows, i);
    if (run > 0) {
      const first = rows[i].event as ScannedEvent;
      yield first.copy.subarray(first.copyStart, (rows[i + run - 1].event as ScannedEvent).copyEnd);
      i += run;
      continue;
    }
    const out = new CopyWriter(CHUNK_BYTES);
    for (const end = Math.min(rows.length, i + rowsPerChunk); i < end; i++) copyRow(out, rows[i]);
    yield out.bytes.subarray(0, out.at);
  }
}

/** Bytes of scanned rows sent as one chunk at most. */
const RUN_BYTES = 256 * 1024;
/** A host id as its own text: 36 characters of uuid, nothing to escape. */
const UUID = /^[0-9a-fA-F-]{36}$/;
/** Host ids seen to be uuids (a fleet's hosts: bounded, forgotten past UUIDS_MAX). */
const uuids = new Set<string>();
const UUIDS_MAX = 10_000;

function isUuid(id: string): boolean {
  if (uuids.has(id)) return true;
  if (id.length !== HOST_ID_BYTES || !UUID.test(id)) return false;
  if (uuids.size >= UUIDS_MAX) uuids.clear();
  uuids.add(id);
  return true;
}

/**
 * How many rows from `i` on are scanned rows contiguous in one buffer (RUN_BYTES at most),
 * each with its host id written in (0: rows[i] is not such a row).
 */
function scannedRun(rows: readonly ViolationRow[], i: number): number {
  let n = 0;
  let next = -1;
  let copy: Buffer | undefined;
  let start = 0;
  let lastId = '';
  for (let j = i; j < rows.length; j++) {
    const { event: e, hostId } = rows[j];
    if (!(e instanceof ScannedEvent)) break;
    if (n > 0 && (e.copy !== copy || e.copyStart !== next || e.copyEnd - start > RUN_BYTES)) break;
    if (hostId !== lastId) {
      if (!isUuid(hostId)) break;
      lastId = hostId;
    }
    if (n === 0) {
      copy = e.copy;
      start = e.copyStart;
    }
    e.copy.write(hostId, e.copyStart, HOST_ID_BYTES, 'latin1');
    next = e.copyEnd;
    n++;
  }
  return n;
}

/**
 * One row: the fields of columnValues (the same columns in the same order), read straight from
 * the event, the time as a timestamptz.
 */
function copyRow(out: CopyWriter, row: ViolationRow): void {
  const { event: e } = row;
  if (e instanceof ScannedEvent) return out.scanned(row.hostId, e);
  out.field(row.hostId);
  out.field(e.eventKey);
  out.text(formatObservedAt(row.micros));
  out.field(e.source);
  out.field(e.kind);
  out.field(e.action);
  out.field(e.blocked);
  const s = e.syscall;
  out.field(s?.arch);
  out.field(s?.nr);
  out.field(s?.name);
  out.field(s?.compat);
  const p = e.process;
  out.field(p?.pid);
  out.field(p?.tid);
  out.field(p?.ppid);
  out.field(p?.uid);
  out.field(p?.gid);
  out.field(p?.auid);
  out.field(p?.ses);
  out.field(p?.comm);
  out.field(p?.exe);
  out.field(p?.cmdline);
  const c = e.container;
  out.field(c?.id);
  out.field(c?.name);
  out.field(c?.image);
  out.field(c?.pod);
  out.field(c?.namespace);
  out.field(e.errno?.nr);
  out.field(e.errno?.name);
  out.field(e.signal?.nr);
  out.field(e.signal?.name);
  out.field(e.policy);
  out.field(e.rule);
  out.field(e.severity);
  out.field(e.bootId);
  out.field(e.details === undefined ? undefined : JSON.stringify(e.details));
  out.field(e.raw);
  out.endRow();
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
  const { hostId, micros } = row;
  const e = row.event instanceof ScannedEvent ? row.event.full() : row.event;
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
