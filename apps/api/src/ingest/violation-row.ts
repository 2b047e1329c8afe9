import type { SecurityEvent } from '@sandtrap/events';
import {
  COPY_HEADER,
  COPY_TRAILER,
  JSONB_VERSION,
  ROW_HEAD_BYTES,
  writeInt8,
  writeRowHead,
  writeTimestamp,
} from './copy-binary.js';
import { ScannedEvent } from './scanned-event.js';

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

/**
 * Rows in binary COPY format (copy-binary.ts) written straight into bytes, field by field: no
 * string per row or chunk for the garbage collector, and nothing left for the socket to encode.
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

  /** A row's field count and host_id. */
  head(hostId: string): void {
    this.room(ROW_HEAD_BYTES);
    writeRowHead(this.bytes, this.at, hostId);
    this.at += ROW_HEAD_BYTES;
  }

  private absent(): void {
    this.room(4);
    this.bytes.writeInt32BE(-1, this.at);
    this.at += 4;
  }

  /** A text value as UTF-8 (jsonb: after its version byte). */
  text(s: string | undefined, jsonb = false): void {
    if (s === undefined) return this.absent();
    const prefix = jsonb ? 1 : 0;
    this.room(4 + prefix + s.length * 3); // UTF-8 takes at most 3 bytes per UTF-16 unit
    const start = this.at;
    if (jsonb) this.bytes[start + 4] = JSONB_VERSION;
    const length = prefix + this.bytes.write(s, start + 4 + prefix);
    this.bytes.writeInt32BE(length, start);
    this.at = start + 4 + length;
  }

  bool(v: boolean | undefined): void {
    if (v === undefined) return this.absent();
    this.room(5);
    this.bytes.writeInt32BE(1, this.at);
    this.bytes[this.at + 4] = v ? 1 : 0;
    this.at += 5;
  }

  /** An int column (numericProblem has checked the range). */
  int4(v: number | undefined): void {
    if (v === undefined) return this.absent();
    this.room(8);
    this.bytes.writeInt32BE(4, this.at);
    this.bytes.writeInt32BE(v, this.at + 4);
    this.at += 8;
  }

  /** A bigint column (a safe integer, numericProblem has checked). */
  int8(v: number | undefined): void {
    if (v === undefined) return this.absent();
    this.room(12);
    this.bytes.writeInt32BE(8, this.at);
    writeInt8(this.bytes, this.at + 4, v);
    this.at += 12;
  }

  timestamp(micros: number): void {
    this.room(12);
    this.bytes.writeInt32BE(8, this.at);
    writeTimestamp(this.bytes, this.at + 4, micros);
    this.at += 12;
  }

  /** A scanned event's row: its host id, then the rest of the row as the scanner wrote it. */
  scanned(hostId: string, e: ScannedEvent): void {
    const start = e.copyStart + ROW_HEAD_BYTES;
    this.room(ROW_HEAD_BYTES + e.copyEnd - start);
    writeRowHead(this.bytes, this.at, hostId);
    this.at += ROW_HEAD_BYTES;
    this.at += e.copy.copy(this.bytes, this.at, start, e.copyEnd);
  }
}

/** Bytes a chunk of COPY data starts with (100 rows of an agent's events take about 45 KB). */
const CHUNK_BYTES = 64 * 1024;

/**
 * The whole COPY data of `rows` for `violations` (COPY ... WITH (FORMAT binary)): the header,
 * the rows (copyChunks), the trailer.
 */
export function* copyData(rows: readonly ViolationRow[]): Generator<Buffer> {
  yield COPY_HEADER;
  yield* copyChunks(rows);
  yield COPY_TRAILER;
}

/**
 * The rows in binary COPY format for `violations` itself, in VIOLATION_COLUMNS order with the
 * time as a timestamptz. Yields `rowsPerChunk` whole rows at a time so that the batch never
 * exists as one buffer.
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

/**
 * How many rows from `i` on are scanned rows contiguous in one buffer (RUN_BYTES at most),
 * each with its host id written in (0: rows[i] is not such a row).
 */
function scannedRun(rows: readonly ViolationRow[], i: number): number {
  let n = 0;
  let next = -1;
  let copy: Buffer | undefined;
  let start = 0;
  for (let j = i; j < rows.length; j++) {
    const { event: e, hostId } = rows[j];
    if (!(e instanceof ScannedEvent)) break;
    if (n > 0 && (e.copy !== copy || e.copyStart !== next || e.copyEnd - start > RUN_BYTES)) break;
    if (n === 0) {
      copy = e.copy;
      start = e.copyStart;
    }
    writeRowHead(e.copy, e.copyStart, hostId);
    next = e.copyEnd;
    n++;
  }
  return n;
}

/**
 * One row: the fields of columnValues (the same columns in the same order), read straight from
 * the event, in their binary forms.
 */
function copyRow(out: CopyWriter, row: ViolationRow): void {
  const { event: e } = row;
  if (e instanceof ScannedEvent) return out.scanned(row.hostId, e);
  out.head(row.hostId);
  out.text(e.eventKey);
  out.timestamp(row.micros);
  out.text(e.source);
  out.text(e.kind);
  out.text(e.action);
  out.bool(e.blocked);
  const s = e.syscall;
  out.text(s?.arch);
  out.int4(s?.nr);
  out.text(s?.name);
  out.bool(s?.compat);
  const p = e.process;
  out.int4(p?.pid);
  out.int4(p?.tid);
  out.int4(p?.ppid);
  out.int8(p?.uid);
  out.int8(p?.gid);
  out.int8(p?.auid);
  out.int8(p?.ses);
  out.text(p?.comm);
  out.text(p?.exe);
  out.text(p?.cmdline);
  const c = e.container;
  out.text(c?.id);
  out.text(c?.name);
  out.text(c?.image);
  out.text(c?.pod);
  out.text(c?.namespace);
  out.int4(e.errno?.nr);
  out.text(e.errno?.name);
  out.int4(e.signal?.nr);
  out.text(e.signal?.name);
  out.text(e.policy);
  out.text(e.rule);
  out.text(e.severity);
  out.text(e.bootId);
  out.text(e.details === undefined ? undefined : JSON.stringify(e.details), true);
  out.text(e.raw);
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
