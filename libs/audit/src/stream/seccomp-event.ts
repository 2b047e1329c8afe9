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

/** The first 20 characters of observedAt for a stamp's second (`2026-11-29T17:52:18.`). */
export function observedAtSecond(sec: number): string {
  cacheSecond(sec);
  return cachedPrefix;
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

function boundRaw(line: string): string {
  if (line.length * 3 <= RAW_MAX_BYTES) return line;
  const bytes = Buffer.from(line, 'utf8');
  return bytes.length <= RAW_MAX_BYTES ? line : bytes.subarray(0, RAW_MAX_BYTES).toString('utf8');
}

/**
 * Everything seccompEvent puts into an event, flat, so that the CLI can write the event's JSON
 * without building it (seccomp-event-json.ts). Filled by seccompEventParts; undefined members
 * are left out of the event, as there.
 */
export interface SeccompEventParts {
  bootId: string | undefined;
  /** The record's stamp; eventKey is `${bootId ?? 'boot-unknown'}:${stamp}`. */
  sec: number;
  msec: number;
  serial: number;
  host: string;
  source: AuditSource;
  pid: number | undefined;
  ppid: number | undefined;
  uid: number | undefined;
  gid: number | undefined;
  auid: number | undefined;
  ses: number | undefined;
  comm: string | undefined;
  exe: string | undefined;
  cmdline: string | undefined;
  /** container: { id } when defined. */
  containerId: string | undefined;
  arch: string | undefined;
  nr: number | undefined;
  name: string | undefined;
  compat: boolean | undefined;
  action: SecurityEvent['action'];
  /** signal: { nr, name } when signalNr is defined (name left out when undefined). */
  signalNr: number | undefined;
  signalName: string | undefined;
  // details, in this order, each when defined (unknownCode when true, exe '(null)' when exeNull).
  code: string | undefined;
  unknownCode: boolean;
  auditArch: string | undefined;
  syscallNr: number | undefined;
  sig: number | undefined;
  exeNull: boolean;
  ip: string | undefined;
  subj: string | undefined;
  reason: string | undefined;
  cwd: string | undefined;
  auditKey: string | undefined;
  exit: number | undefined;
  raw: string;
}

/** A parts object to fill (one per writer: seccompEventParts overwrites every member). */
export function newSeccompEventParts(): SeccompEventParts {
  return {
    bootId: undefined,
    sec: 0,
    msec: 0,
    serial: 0,
    host: '',
    source: 'auditd',
    pid: undefined,
    ppid: undefined,
    uid: undefined,
    gid: undefined,
    auid: undefined,
    ses: undefined,
    comm: undefined,
    exe: undefined,
    cmdline: undefined,
    containerId: undefined,
    arch: undefined,
    nr: undefined,
    name: undefined,
    compat: undefined,
    action: 'kill_process',
    signalNr: undefined,
    signalName: undefined,
    code: undefined,
    unknownCode: false,
    auditArch: undefined,
    syscallNr: undefined,
    sig: undefined,
    exeNull: false,
    ip: undefined,
    subj: undefined,
    reason: undefined,
    cwd: undefined,
    auditKey: undefined,
    exit: undefined,
    raw: '',
  };
}

/**
 * What a SECCOMP (or seccomp ANOM_ABEND) record, with what its siblings added, makes of an
 * event, into `p` (every member set). Throws AuditParseError when it cannot be an event.
 */
export function seccompEventParts(
  record: AuditRecord,
  raw: string,
  sibling: SiblingFields | undefined,
  defaults: EventDefaults,
  p: SeccompEventParts,
): void {
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
  p.code = undefined;
  p.unknownCode = false;
  if (f.code !== undefined) {
    const info = cachedAction(f.code);
    if (info === undefined) throw new AuditParseError('malformed_record', `code=${f.code} is not hex`);
    p.action = info.action;
    p.code = f.code;
    p.unknownCode = !info.known;
  } else if (record.typeName === 'ANOM_ABEND') {
    // The old form only existed for SECCOMP_RET_KILL, which killed the thread.
    p.action = 'kill_thread';
  } else {
    throw new AuditParseError('missing_field', 'SECCOMP record without code=');
  }
  if (f.syscall === undefined) throw new AuditParseError('missing_field', 'SECCOMP record without syscall=');
  p.host = host;
  let arch: string | undefined;
  let name: string | undefined;
  p.auditArch = undefined;
  if (f.arch !== undefined) {
    const entry = cachedArch(f.arch);
    arch = entry.arch;
    if (arch === undefined) p.auditArch = f.arch;
    // x32 shares x86_64's AUDIT_ARCH; its numbers carry bit 30.
    else if (arch === 'x86_64' && (f.syscall & X32_SYSCALL_BIT) !== 0) {
      arch = 'x32';
      name = syscallName(arch, x32Names, f.syscall);
    } else name = syscallName(arch, entry.names, f.syscall);
  }
  // A negative number (the kernel logs -1 for some) is kept in details: SecurityEvent numbers are unsigned.
  const nr = f.syscall >= 0 && f.syscall <= UNSET_ID ? f.syscall : undefined;
  p.syscallNr = nr === undefined ? f.syscall : undefined;
  p.arch = arch;
  p.nr = nr;
  p.name = name;
  p.compat = f.compat;

  p.signalNr = undefined;
  p.signalName = undefined;
  p.sig = undefined;
  if (f.sig !== undefined && f.sig !== 0 && bounded(f.sig, 1, SIGNAL_MAX) === undefined) p.sig = f.sig;
  else if (f.sig !== undefined && f.sig !== 0) {
    // MIPS numbers SIGSYS 12.
    p.signalNr = f.sig;
    p.signalName = arch?.startsWith('mips') && f.sig === 12 ? 'SIGSYS' : SIGNAL_NAMES[f.sig];
  }

  p.pid = bounded(f.pid, 0, PID_MAX);
  p.ppid = bounded(sibling?.ppid, 0, PID_MAX);
  p.uid = auditId(f.uid);
  p.gid = auditId(f.gid);
  p.auid = auditId(f.auid);
  p.ses = auditId(f.ses);
  p.comm = lineClean ? f.comm : noNul(f.comm);
  p.exe = typeof f.exe !== 'string' ? undefined : lineClean ? f.exe : noNul(f.exe);
  p.cmdline = noNul(sibling?.cmdline);
  p.exeNull = f.exe === null;

  p.ip = f.ip;
  p.subj = f.subj !== undefined && f.subj !== '?' ? (lineClean ? f.subj : noNul(f.subj)) : undefined;
  p.reason = f.reason !== undefined ? (lineClean ? f.reason : noNul(f.reason)) : undefined;
  p.cwd = sibling?.cwd !== undefined ? noNul(sibling.cwd) : undefined;
  p.auditKey = sibling?.key !== undefined ? noNul(sibling.key) : undefined;
  p.exit = sibling?.exit;
  p.containerId = sibling?.containerId === undefined ? undefined : noNul(sibling.containerId);
  p.bootId = noNul(record.bootId ?? defaults.bootId);
  p.sec = record.sec;
  p.msec = record.msec;
  p.serial = record.serial;
  p.source = defaults.source ?? record.source;
  p.raw = lineClean ? boundRaw(raw) : (noNul(boundRaw(raw)) as string);
}

/** The eventKey of an event's parts. */
export function seccompEventKey(p: SeccompEventParts): string {
  const m = p.msec;
  const msec = MSEC_TEXT[m];
  let stamp: string;
  // The stamp as it appears in `audit(SEC.MSEC:SERIAL)`.
  if (msec === undefined) stamp = `${p.sec}.${m < 10 ? '00' : m < 100 ? '0' : ''}${m}:${p.serial}`;
  else {
    cacheSecond(p.sec);
    stamp = `${cachedSecText}.${msec}:${p.serial}`;
  }
  return `${p.bootId ?? 'boot-unknown'}:${stamp}`;
}

/** The observedAt of an event's parts (ISO 8601 with microseconds). */
export function seccompObservedAt(p: SeccompEventParts): string {
  return observedAt(p.sec, p.msec);
}

// seccompEvent's parts: it copies them out at once, so one object serves every call.
const scratch = newSeccompEventParts();

/** A SECCOMP (or seccomp ANOM_ABEND) record, with what its siblings added, as a SecurityEvent. */
export function seccompEvent(
  record: AuditRecord,
  raw: string,
  sibling: SiblingFields | undefined,
  defaults: EventDefaults,
): SecurityEvent {
  seccompEventParts(record, raw, sibling, defaults, scratch);
  return seccompEventOfParts(scratch);
}

/** The SecurityEvent of an event's parts (what seccompEvent returns). */
export function seccompEventOfParts(p: SeccompEventParts): SecurityEvent {
  const details: Record<string, unknown> = {};
  if (p.code !== undefined) {
    details.code = p.code;
    if (p.unknownCode) details.unknownCode = true;
  }
  if (p.auditArch !== undefined) details.auditArch = p.auditArch;
  if (p.syscallNr !== undefined) details.syscallNr = p.syscallNr;
  if (p.sig !== undefined) details.sig = p.sig;
  if (p.exeNull) details.exe = '(null)';
  if (p.ip !== undefined) details.ip = p.ip;
  if (p.subj !== undefined) details.subj = p.subj;
  if (p.reason !== undefined) details.reason = p.reason;
  if (p.cwd !== undefined) details.cwd = p.cwd;
  if (p.auditKey !== undefined) details.auditKey = p.auditKey;
  if (p.exit !== undefined) details.exit = p.exit;
  const action = p.action;
  // Keys in the wire order of DESIGN.md; undefined ones are left out of the JSON.
  return {
    eventKey: seccompEventKey(p),
    observedAt: observedAt(p.sec, p.msec),
    host: p.host,
    bootId: p.bootId,
    source: p.source,
    kind: 'seccomp',
    process: {
      pid: p.pid,
      ppid: p.ppid,
      uid: p.uid,
      gid: p.gid,
      auid: p.auid,
      ses: p.ses,
      comm: p.comm,
      exe: p.exe,
      cmdline: p.cmdline,
    },
    container: p.containerId === undefined ? undefined : { id: p.containerId },
    syscall: { arch: p.arch, nr: p.nr, name: p.name, compat: p.compat },
    action,
    signal:
      p.signalNr === undefined
        ? undefined
        : p.signalName === undefined
          ? { nr: p.signalNr }
          : { nr: p.signalNr, name: p.signalName },
    blocked: isBlockingAction(action),
    details,
    raw: p.raw,
  };
}
