import type { EventAction, EventKind, EventSource, SecurityEvent } from '@sandtrap/events';
import { formatObservedAt } from '../ingest/observed-at.js';

/** A row of `violations` as pg returns it (bigint columns arrive as strings). */
export interface ViolationRecord {
  host_id: string;
  host_name: string;
  event_key: string;
  source: string;
  kind: string;
  action: string;
  blocked: boolean;
  syscall_arch: string | null;
  syscall_nr: number | null;
  syscall_name: string | null;
  syscall_compat: boolean | null;
  pid: number | null;
  tid: number | null;
  ppid: number | null;
  uid: string | null;
  gid: string | null;
  auid: string | null;
  ses: string | null;
  comm: string | null;
  exe: string | null;
  cmdline: string | null;
  container_id: string | null;
  container_name: string | null;
  container_image: string | null;
  pod: string | null;
  namespace: string | null;
  errno: number | null;
  errno_name: string | null;
  signal: number | null;
  signal_name: string | null;
  policy: string | null;
  rule: string | null;
  severity: string | null;
  boot_id: string | null;
  details: Record<string, unknown> | null;
  raw: string | null;
}

/** Keeps only the present values; answers undefined when none is. */
function present<T extends object>(o: T): T | undefined {
  const out: Record<string, unknown> = {};
  let any = false;
  for (const [k, v] of Object.entries(o)) {
    if (v !== null && v !== undefined) {
      out[k] = v;
      any = true;
    }
  }
  return any ? (out as T) : undefined;
}

const num = (v: string | null) => (v === null ? undefined : Number(v));

/** The stored row in the SecurityEvent wire shape, absent values left out. */
export function toSecurityEvent(r: ViolationRecord, micros: string): SecurityEvent {
  const e: SecurityEvent = {
    eventKey: r.event_key,
    observedAt: formatObservedAt(Number(micros)),
    host: r.host_name,
    ...(r.boot_id === null ? {} : { bootId: r.boot_id }),
    source: r.source as EventSource,
    kind: r.kind as EventKind,
    action: r.action as EventAction,
    blocked: r.blocked,
  };
  const process = present({
    pid: r.pid,
    tid: r.tid,
    ppid: r.ppid,
    uid: num(r.uid),
    gid: num(r.gid),
    auid: num(r.auid),
    ses: num(r.ses),
    comm: r.comm,
    exe: r.exe,
    cmdline: r.cmdline,
  });
  const container = present({
    id: r.container_id,
    name: r.container_name,
    image: r.container_image,
    pod: r.pod,
    namespace: r.namespace,
  });
  const syscall = present({
    arch: r.syscall_arch,
    nr: r.syscall_nr,
    name: r.syscall_name,
    compat: r.syscall_compat,
  });
  const errno = present({ nr: r.errno, name: r.errno_name });
  const signal = present({ nr: r.signal, name: r.signal_name });
  if (process) e.process = process as SecurityEvent['process'];
  if (container) e.container = container as SecurityEvent['container'];
  if (syscall) e.syscall = syscall as SecurityEvent['syscall'];
  if (errno) e.errno = errno as SecurityEvent['errno'];
  if (signal) e.signal = signal as SecurityEvent['signal'];
  if (r.policy !== null) e.policy = r.policy;
  if (r.rule !== null) e.rule = r.rule;
  if (r.severity !== null) e.severity = r.severity;
  if (r.details !== null) e.details = r.details;
  if (r.raw !== null) e.raw = r.raw;
  return e;
}
