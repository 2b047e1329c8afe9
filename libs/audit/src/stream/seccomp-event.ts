import { RAW_MAX_BYTES, isBlockingAction, type SecurityEvent } from '@sandtrap/events';
import {
  X32_SYSCALL_BIT,
  actionFromCode,
  archFromAuditArch,
  resolveSyscall,
  signalName,
} from '@sandtrap/syscalls';
import { AuditParseError } from '../audit-error.js';
import type { AuditRecord, AuditSource, SiblingFields } from '../record/audit-record.js';

const UNSET_ID = 4294967295;
const PID_MAX = 2147483647;
const SIGNAL_MAX = 128;

/** An id as SecurityEvent holds it: unset (4294967295) and impossible values are left out. */
function auditId(v: number | undefined): number | undefined {
  return v !== undefined && v >= 0 && v < UNSET_ID ? v : undefined;
}

function bounded(v: number | undefined, min: number, max: number): number | undefined {
  return v !== undefined && v >= min && v <= max ? v : undefined;
}

/** Postgres text cannot hold NUL: a corrupt or hostile line's NULs become U+FFFD. */
function noNul(v: string | undefined): string | undefined {
  return v === undefined || v.indexOf('\u0000') < 0 ? v : v.replaceAll('\u0000', '\ufffd');
}

export interface EventDefaults {
  host?: string;
  bootId?: string;
  source?: AuditSource;
}

// `.000` to `.999`: the millisecond part of a stamp, and of observedAt with its microseconds.
const MSEC_TEXT = Array.from({ length: 1000 }, (_, m) => String(m).padStart(3, '0'));
const MSEC_ISO = MSEC_TEXT.map((m) => `${m}000Z`);

// observedAt and the stamp of every record of one second share a prefix; cache the last one.
let cachedSec = -1;
let cachedPrefix = '';
let cachedSecText = '';
function cacheSecond(sec: number): void {
  if (sec !== cachedSec) {
    cachedPrefix = new Date(sec * 1000).toISOString().slice(0, 20);
    cachedSecText = String(sec);
    cachedSec = sec;
  }
}

function observedAt(sec: number, msec: number): string {
  cacheSecond(sec);
  return cachedPrefix + (MSEC_ISO[msec] ?? `${msec}000Z`);
}

// A stream carries few distinct arch and code values: remember their translations, and for
// each arch the syscall names already resolved (an array indexed by number, not a Map).
interface ArchEntry {
  arch: string | undefined;
  names: (string | null | undefined)[];
}
const archCache = new Map<string, ArchEntry>();
const x32Names: (string | null | undefined)[] = [];
const actionCache = new Map<string, ReturnType<typeof actionFromCode>>();
const CACHE_MAX = 256;
const MEMO_NUMBERS = 4096;

function cachedArch(hex: string): ArchEntry {
  let entry = archCache.get(hex);
  if (entry === undefined) {
    entry = { arch: archFromAuditArch(hex), names: [] };
    if (archCache.size < CACHE_MAX) archCache.set(hex, entry);
  }
  return entry;
}

/** resolveSyscall, remembered per arch for the numbers an arch really has. */
function syscallName(arch: string, names: (string | null | undefined)[], nr: number): string | undefined {
  const index = arch === 'x32' ? nr - X32_SYSCALL_BIT : nr;
  if (index < 0 || index >= MEMO_NUMBERS || !Number.isInteger(index)) return resolveSyscall(arch, nr);
  let name = names[index];
  if (name === undefined) {
    name = resolveSyscall(arch, nr) ?? null;
    names[index] = name;
  }
  return name ?? undefined;
}

function cachedAction(code: string): ReturnType<typeof actionFromCode> {
  let info = actionCache.get(code);
  if (info === undefined) {
    info = actionFromCode(code);
    if (actionCache.size < CACHE_MAX) actionCache.set(code, info);
  }
  return info;
}

const SIGNAL_NAMES: (string | undefined)[] = [];
for (let nr = 1; nr <= 128; nr++) SIGNAL_NAMES[nr] = signalName(nr);

/** The audit stamp as it appears in `audit(SEC.MSEC:SERIAL)`. */
export function auditStamp(record: AuditRecord): string {
  const m = record.msec;
  return `${record.sec}.${m < 10 ? '00' : m < 100 ? '0' : ''}${m}:${record.serial}`;
}

function stampText(record: AuditRecord): string {
  const msec = MSEC_TEXT[record.msec];
  if (msec === undefined) return auditStamp(record);
  cacheSecond(record.sec);
  return `${cachedSecText}.${msec}:${record.serial}`;
}

function boundRaw(line: string): string {
  if (line.length * 3 <= RAW_MAX_BYTES) return line;
  const bytes = Buffer.from(line, 'utf8');
  return bytes.length <= RAW_MAX_BYTES ? line : bytes.subarray(0, RAW_MAX_BYTES).toString('utf8');
}

/** A SECCOMP (or seccomp ANOM_ABEND) record, with what its siblings added, as a SecurityEvent. */
export function seccompEvent(
  record: AuditRecord,
  raw: string,
  sibling: SiblingFields | undefined,
  defaults: EventDefaults,
): SecurityEvent {
  const f = record.seccomp ?? {};
  // What is cut from a line without NUL has none either (hex values are decoded without them);
  // journald's fields come out of JSON escapes, so each is checked.
  const lineClean = record.shape !== 'journald' && raw.indexOf('\u0000') < 0;
  const host = lineClean && record.host !== undefined ? record.host : noNul(record.host ?? defaults.host);
  if (host === undefined || host.length === 0) {
    throw new AuditParseError(
      'no_host',
      'the record names no host: pass one (?host=NAME, --host NAME or the host option)',
    );
  }
  let action: SecurityEvent['action'];
  const details: Record<string, unknown> = {};
  if (f.code !== undefined) {
    const info = cachedAction(f.code);
    if (info === undefined) throw new AuditParseError('malformed_record', `code=${f.code} is not hex`);
    action = info.action;
    details.code = f.code;
    if (!info.known) details.unknownCode = true;
  } else if (record.typeName === 'ANOM_ABEND') {
    // The old form only existed for SECCOMP_RET_KILL, which killed the thread.
    action = 'kill_thread';
  } else {
    throw new AuditParseError('missing_field', 'SECCOMP record without code=');
  }
  if (f.syscall === undefined) throw new AuditParseError('missing_field', 'SECCOMP record without syscall=');
  let arch: string | undefined;
  let name: string | undefined;
  if (f.arch !== undefined) {
    const entry = cachedArch(f.arch);
    arch = entry.arch;
    if (arch === undefined) details.auditArch = f.arch;
    // x32 shares x86_64's AUDIT_ARCH; its numbers carry bit 30.
    else if (arch === 'x86_64' && (f.syscall & X32_SYSCALL_BIT) !== 0) {
      arch = 'x32';
      name = syscallName(arch, x32Names, f.syscall);
    } else name = syscallName(arch, entry.names, f.syscall);
  }
  // A negative number (the kernel logs -1 for some) is kept in details: SecurityEvent numbers are unsigned.
  const nr = f.syscall >= 0 && f.syscall <= UNSET_ID ? f.syscall : undefined;
  if (nr === undefined) details.syscallNr = f.syscall;
  const syscall: NonNullable<SecurityEvent['syscall']> = { arch, nr, name, compat: f.compat };

  let signal: SecurityEvent['signal'];
  if (f.sig !== undefined && f.sig !== 0 && bounded(f.sig, 1, SIGNAL_MAX) === undefined) details.sig = f.sig;
  else if (f.sig !== undefined && f.sig !== 0) {
    // MIPS numbers SIGSYS 12.
    const sigName = arch?.startsWith('mips') && f.sig === 12 ? 'SIGSYS' : SIGNAL_NAMES[f.sig];
    signal = sigName === undefined ? { nr: f.sig } : { nr: f.sig, name: sigName };
  }

  const process: NonNullable<SecurityEvent['process']> = {
    pid: bounded(f.pid, 0, PID_MAX),
    ppid: bounded(sibling?.ppid, 0, PID_MAX),
    uid: auditId(f.uid),
    gid: auditId(f.gid),
    auid: auditId(f.auid),
    ses: auditId(f.ses),
    comm: lineClean ? f.comm : noNul(f.comm),
    exe: typeof f.exe !== 'string' ? undefined : lineClean ? f.exe : noNul(f.exe),
    cmdline: noNul(sibling?.cmdline),
  };
  if (f.exe === null) details.exe = '(null)';

  if (f.ip !== undefined) details.ip = f.ip;
  if (f.subj !== undefined && f.subj !== '?') details.subj = lineClean ? f.subj : noNul(f.subj);
  if (f.reason !== undefined) details.reason = lineClean ? f.reason : noNul(f.reason);
  if (sibling?.cwd !== undefined) details.cwd = noNul(sibling.cwd);
  if (sibling?.key !== undefined) details.auditKey = noNul(sibling.key);
  if (sibling?.exit !== undefined) details.exit = sibling.exit;
  const bootId = noNul(record.bootId ?? defaults.bootId);
  // Keys in the wire order of DESIGN.md; undefined ones are left out of the JSON.
  return {
    eventKey: `${bootId ?? 'boot-unknown'}:${stampText(record)}`,
    observedAt: observedAt(record.sec, record.msec),
    host,
    bootId,
    source: defaults.source ?? record.source,
    kind: 'seccomp',
    process,
    container: sibling?.containerId === undefined ? undefined : { id: noNul(sibling.containerId) },
    syscall,
    action,
    signal,
    blocked: isBlockingAction(action),
    details,
    raw: lineClean ? boundRaw(raw) : noNul(boundRaw(raw)),
  };
}
