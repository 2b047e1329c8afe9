/** The shapes a line can come in; `source` is what SecurityEvent calls the same thing. */
export type AuditLineShape = 'auditd' | 'enriched' | 'kmsg' | 'dmesg' | 'syslog' | 'journald';
export type AuditSource = 'auditd' | 'kmsg' | 'journald';

/** Fields of a SECCOMP (1326) record, or of the old ANOM_ABEND (1701) reason="seccomp" one. */
export interface SeccompFields {
  auid?: number;
  uid?: number;
  gid?: number;
  ses?: number;
  subj?: string;
  pid?: number;
  comm?: string;
  /** null for `exe=(null)`: the task had no mm (a kernel thread or an exiting task). */
  exe?: string | null;
  sig?: number;
  /** AUDIT_ARCH as logged (lower-case hex); absent in the old ANOM_ABEND form. */
  arch?: string;
  syscall?: number;
  compat?: boolean;
  ip?: string;
  code?: string;
  reason?: string;
}

/** What the sibling records of an event (SYSCALL, EXECVE, PROCTITLE, CWD, CONTAINER_ID) add. */
export interface SiblingFields {
  ppid?: number;
  tid?: number;
  cmdline?: string;
  cwd?: string;
  containerId?: string;
  key?: string;
  /** SYSCALL's success/exit: what the call returned after the filter. */
  success?: string;
  exit?: number;
}

export interface AuditRecord {
  shape: AuditLineShape;
  source: AuditSource;
  /** Numeric audit type (1326); 0 when only a name was given and it is not one we number. */
  type: number;
  typeName: string;
  sec: number;
  msec: number;
  serial: number;
  /** auditd `node=`, syslog or journald host name. */
  host?: string;
  bootId?: string;
  seccomp?: SeccompFields;
  sibling?: SiblingFields;
}

export const AUDIT_TYPE = {
  SYSCALL: 1300,
  PATH: 1302,
  CWD: 1307,
  EXECVE: 1309,
  EOE: 1320,
  SECCOMP: 1326,
  PROCTITLE: 1327,
  ANOM_ABEND: 1701,
} as const;

const NAME_BY_TYPE = new Map<number, string>(Object.entries(AUDIT_TYPE).map(([name, nr]) => [nr, name]));
const TYPE_BY_NAME = new Map<string, number>(Object.entries(AUDIT_TYPE));

export function auditTypeName(type: number): string {
  return NAME_BY_TYPE.get(type) ?? `UNKNOWN[${type}]`;
}
export function auditTypeNumber(name: string): number {
  return TYPE_BY_NAME.get(name) ?? 0;
}

/** Records of the same event (serial) that the parser merges into its SECCOMP event. */
export const SIBLING_RECORD_NAMES: readonly string[] = [
  'SYSCALL',
  'EXECVE',
  'PROCTITLE',
  'CWD',
  'EOE',
  'CONTAINER_ID',
];

/**
 * Record types worth parsing: SECCOMP and the old seccomp ANOM_ABEND, plus siblings that enrich
 * them. Everything else is skipped after its type is read. CONTAINER_ID is known by name only
 * (its number was never fixed upstream).
 */
const WANTED_NAMES = new Set(['SECCOMP', 'ANOM_ABEND', ...SIBLING_RECORD_NAMES]);
const WANTED_TYPES = new Set<number>([1326, 1701, 1300, 1309, 1327, 1307, 1320]);

export function isWantedTypeName(name: string): boolean {
  return WANTED_NAMES.has(name);
}
export function isWantedType(type: number): boolean {
  return WANTED_TYPES.has(type);
}
