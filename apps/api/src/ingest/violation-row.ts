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

/** Column arrays for the `unnest(...)` insert, in VIOLATION_COLUMNS order. */
export function toColumnArrays(rows: readonly ViolationRow[]): unknown[][] {
  const cols: unknown[][] = VIOLATION_COLUMNS.map(() => new Array<unknown>(rows.length));
  for (let i = 0; i < rows.length; i++) {
    const { hostId, micros, event: e } = rows[i];
    const p = e.process;
    const c = e.container;
    const s = e.syscall;
    const values = [
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
    for (let k = 0; k < values.length; k++) cols[k][i] = values[k] ?? null;
  }
  return cols;
}

/** Column name and the Postgres array type its values travel as. */
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
