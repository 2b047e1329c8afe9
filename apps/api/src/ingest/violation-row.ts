import type { SecurityEvent } from '@sandtrap/events';

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
function copyField(v: unknown): string {
  if (v === undefined || v === null) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  const s = typeof v === 'string' ? v : String(v);
  return /[\\\t\n\r]/.test(s)
    ? s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'))
    : s;
}

/** The rows in COPY text format, columns in VIOLATION_COLUMNS order. */
export function toCopyText(rows: readonly ViolationRow[]): string {
  const lines = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) lines[i] = columnValues(rows[i]).map(copyField).join('\t');
  return lines.join('\n') + '\n';
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

const INT_COLUMNS = new Set(['syscall_nr', 'pid', 'tid', 'ppid', 'errno', 'signal']);
const BIGINT_COLUMNS = new Set(['uid', 'gid', 'auid', 'ses']);

/**
 * Why Postgres would refuse this row's numbers, if it would: checked before the batch is
 * written, so that one bad event is rejected alone instead of failing the whole batch.
 */
export function numericProblem(row: ViolationRow): string | undefined {
  const values = columnValues(row);
  for (let k = 0; k < VIOLATION_COLUMNS.length; k++) {
    const [name] = VIOLATION_COLUMNS[k];
    const v = values[k];
    if (v === null || v === undefined) continue;
    if (
      INT_COLUMNS.has(name) &&
      !(Number.isInteger(v) && (v as number) >= -2147483648 && (v as number) <= 2147483647)
    ) {
      return `${name} must be a 32-bit integer, got ${JSON.stringify(v)}`;
    }
    if (BIGINT_COLUMNS.has(name) && !(Number.isSafeInteger(v) && (v as number) >= -1)) {
      return `${name} must be a whole number from -1, got ${JSON.stringify(v)}`;
    }
  }
  return undefined;
}
