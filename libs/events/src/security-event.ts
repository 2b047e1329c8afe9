/**
 * The normalised event every source becomes before it leaves the agent or the ingest controller
 * (DESIGN.md, "The event model"). On the wire it is camelCase JSON with absent values left out.
 */

export const EVENT_SOURCES = [
  'kmsg',
  'auditd',
  'journald',
  'bpf',
  'tetragon',
  'falco',
  'tracee',
  'inspektor-gadget',
  'api',
] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];

export const EVENT_KINDS = ['seccomp', 'runtime'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Seccomp actions, then the actions of eBPF enforcement tools. */
export const EVENT_ACTIONS = [
  'kill_process',
  'kill_thread',
  'trap',
  'errno',
  'user_notif',
  'trace',
  'log',
  'allow',
  'sigkill',
  'override',
  'signal',
  'alert',
] as const;
export type EventAction = (typeof EVENT_ACTIONS)[number];

/** Actions after which the call still ran as asked. */
const NON_BLOCKING: ReadonlySet<EventAction> = new Set<EventAction>(['log', 'allow', 'alert']);

/** True when the call did not run as asked: everything but `log`, `allow` and `alert`. */
export function isBlockingAction(action: EventAction): boolean {
  return !NON_BLOCKING.has(action);
}

export interface EventProcess {
  pid?: number;
  tid?: number;
  ppid?: number;
  uid?: number;
  gid?: number;
  auid?: number;
  ses?: number;
  comm?: string;
  exe?: string;
  cmdline?: string;
}

export interface EventContainer {
  id?: string;
  name?: string;
  image?: string;
  pod?: string;
  namespace?: string;
}

export interface EventSyscall {
  /** Architecture name as libs/syscalls spells it: `x86_64`, `aarch64`, `i386`, `x32` ... */
  arch?: string;
  nr?: number;
  /** Resolved with the record's own arch, never the host's. */
  name?: string;
  compat?: boolean;
}

export interface SecurityEvent {
  /** Idempotency key, unique per host: `bootId:auditTimestamp:serial` for audit records. */
  eventKey: string;
  /** ISO 8601 with microsecond precision, from the record itself. */
  observedAt: string;
  host: string;
  bootId?: string;
  source: EventSource;
  kind: EventKind;
  process?: EventProcess;
  container?: EventContainer;
  syscall?: EventSyscall;
  action: EventAction;
  errno?: { nr?: number; name?: string };
  signal?: { nr?: number; name?: string };
  blocked: boolean;
  policy?: string;
  rule?: string;
  severity?: string;
  details?: Record<string, unknown>;
  /** The original line or JSON, bounded to RAW_MAX_BYTES. */
  raw?: string;
}

/** Bound on `raw`, so one pathological line cannot bloat storage. */
export const RAW_MAX_BYTES = 8192;
