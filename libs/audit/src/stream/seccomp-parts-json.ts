import { isBlockingAction } from '@sandtrap/events';
import {
  ARCH,
  AUDIT_ARCH,
  AUDIT_KEY,
  AUID,
  CMDLINE,
  COMM,
  COMPAT,
  CONTAINER,
  CWD,
  EVENT_KEY,
  EXE,
  EXE_NULL,
  EXIT,
  FALSE,
  GID,
  ID,
  IP,
  NAME,
  NR,
  OBSERVED_AT,
  PID,
  PPID,
  RAW_OPEN,
  REASON,
  SES,
  SIG,
  SUBJ,
  SYSCALL_NR,
  TRUE,
  UID,
  ascii,
  put,
  putMember,
  putNumber,
  putString,
} from './seccomp-event-json.js';
import {
  observedAtSecond,
  seccompEventKey,
  seccompObservedAt,
  type SeccompEventParts,
} from './seccomp-event.js';
import { piece, writeEventInModule, type EventPieces, type Piece } from './seccomp-parts-module.js';

/**
 * JSON.stringify(seccompEvent(...)) written as UTF-8 from the event's parts (seccompEventParts),
 * without building the event: what `sandtrap parse` writes for each audit event. The constant
 * runs between values, and values from small sets (arch and syscall names, actions, codes, the
 * host, boot id and source of a stream), are copied as bytes encoded once, with JSON.stringify.
 * The usual event's line is written by the byte reader's module from the same pieces
 * (seccomp-parts-module.ts); this JS writes the others, byte for byte the same.
 */

const json = (s: string): string => JSON.stringify(s);
const utf8 = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'utf8'));
const utf8Piece = (s: string): Piece => piece(utf8(s));

const SYSCALL_OPEN = ascii(',"syscall":{');
const ACTION = ascii(',"action":');
const BLOCKED_TRUE_DETAILS = ascii(',"blocked":true,"details":{');
const BLOCKED_FALSE_DETAILS = ascii(',"blocked":false,"details":{');
// Below this, a syscall number's piece is kept in its arch's array (above, in a map).
const NUMBERS_KEPT = 4096;

/** `,"nr":N,"name":NAME,"compat":C}` of one syscall number, for the name and compat it was made with. */
interface CallPiece {
  name: string | undefined;
  compat: boolean | undefined;
  piece: Piece;
}

/**
 * `,"syscall":{"arch":ARCH` and the pieces of the numbers seen with that arch: below
 * NUMBERS_KEPT in an array, others (x32's, ARM's private calls) in a map.
 */
interface ArchPiece {
  head: Piece;
  calls: (CallPiece | undefined)[];
  others: Map<number, CallPiece>;
}

const ARCHES = new Map<string, ArchPiece>();

function archPiece(arch: string): ArchPiece {
  let piece = ARCHES.get(arch);
  if (piece === undefined) {
    piece = { head: utf8Piece(`,"syscall":{"arch":${json(arch)}`), calls: [], others: new Map() };
    if (ARCHES.size >= 256) ARCHES.clear();
    ARCHES.set(arch, piece);
  }
  return piece;
}

/**
 * What follows a code: `,"action":ACTION` (then the signal, if any), and
 * `,"blocked":B,"details":{"code":CODE[,"unknownCode":true]`, for the action and unknownCode
 * it was made with.
 */
interface CodePiece {
  action: string;
  unknownCode: boolean;
  head: Piece;
  tail: Piece;
}

const CODES = new Map<string, CodePiece>();

function codePiece(p: SeccompEventParts & { code: string }): CodePiece {
  let piece = CODES.get(p.code);
  if (piece === undefined || piece.action !== p.action || piece.unknownCode !== p.unknownCode) {
    const blocked = isBlockingAction(p.action);
    const unknown = p.unknownCode ? ',"unknownCode":true' : '';
    piece = {
      action: p.action,
      unknownCode: p.unknownCode,
      head: utf8Piece(`,"action":${json(p.action)}`),
      tail: utf8Piece(`,"blocked":${blocked},"details":{"code":${json(p.code)}${unknown}`),
    };
    if (CODES.size >= 4096) CODES.clear();
    CODES.set(p.code, piece);
  }
  return piece;
}

/** Bytes the JSON of an event's parts can take at most (six a character, plus the rest). */
export function seccompPartsJsonMaxBytes(p: SeccompEventParts): number {
  let chars = p.host.length + p.raw.length + (p.bootId?.length ?? 0) + p.source.length;
  chars += (p.comm?.length ?? 0) + (p.exe?.length ?? 0) + (p.cmdline?.length ?? 0);
  chars += (p.containerId?.length ?? 0) + (p.arch?.length ?? 0) + (p.name?.length ?? 0);
  chars += (p.signalName?.length ?? 0) + p.action.length + (p.code?.length ?? 0);
  chars += (p.auditArch?.length ?? 0) + (p.ip?.length ?? 0) + (p.subj?.length ?? 0);
  chars += (p.reason?.length ?? 0) + (p.cwd?.length ?? 0) + (p.auditKey?.length ?? 0);
  return chars * 6 + 1024;
}

/** Bytes into buf at `at`: a byte at a time when short (a call costs more), else with set. */
function putBytes(buf: Buffer, at: number, bytes: Uint8Array): number {
  const n = bytes.length;
  if (n < 16) for (let i = 0; i < n; i++) buf[at + i] = bytes[i];
  else buf.set(bytes, at);
  return at + n;
}

/** Digits of 0..999, three of them. */
function putThreeDigits(buf: Buffer, at: number, m: number): number {
  buf[at] = 48 + Math.floor(m / 100);
  buf[at + 1] = 48 + (Math.floor(m / 10) % 10);
  buf[at + 2] = 48 + (m % 10);
  return at + 3;
}

/**
 * Pieces keyed by up to three values, the last few used kept (most recent first): a stream
 * mixes a few hosts, boot ids and seconds at a time, so a handful of entries finds them.
 */
class RecentPieces<A, B, C> {
  private readonly entries: { a: A; b: B; c: C; bytes: Piece; more: Piece }[] = [];

  /** The entry for (a, b, c), made by `make` (pieces[0] and [1]) when not kept. */
  get(a: A, b: B, c: C, make: () => [Piece, Piece]): { bytes: Piece; more: Piece } {
    const entries = this.entries;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (e.a === a && e.b === b && e.c === c) {
        if (i > 0) {
          entries.splice(i, 1);
          entries.unshift(e);
        }
        return e;
      }
    }
    const [bytes, more] = make();
    const e = { a, b, c, bytes, more };
    entries.unshift(e);
    if (entries.length > 8) entries.pop();
    return e;
  }
}

const NONE = piece(new Uint8Array(0));
// `{"eventKey":"BOOT:SEC.` and `","observedAt":"ISO-SECOND.` by boot id and second.
const STAMPS = new RecentPieces<string | undefined, number, undefined>();
// From observedAt's microseconds to the opening of process, by host, boot id and source.
const STREAMS = new RecentPieces<string, string | undefined, string>();
const SIGNALS = new RecentPieces<number, string | undefined, undefined>();

/** A stamp whose eventKey and observedAt take the fast way (the rest go through the strings). */
function stampIsPlain(p: SeccompEventParts): boolean {
  const m = p.msec;
  return (
    Number.isSafeInteger(p.sec) &&
    p.sec >= 0 &&
    Number.isSafeInteger(p.serial) &&
    p.serial >= 0 &&
    Number.isInteger(m) &&
    m >= 0 &&
    m <= 999
  );
}

/** `{"eventKey":"BOOT:SEC.` (bytes) and `","observedAt":"ISO-SECOND.` (more) of a plain stamp. */
function stampPieces(p: SeccompEventParts): { bytes: Piece; more: Piece } {
  return STAMPS.get(p.bootId, p.sec, undefined, () => {
    // Throws for a second no Date can hold, as seccompEvent does (and keeps nothing then).
    const iso = piece(ascii(`","observedAt":"${observedAtSecond(p.sec)}`));
    // The boot id as a JSON string without its closing quote: the stamp follows.
    const boot = p.bootId === undefined ? '"boot-unknown' : json(p.bootId).slice(0, -1);
    return [utf8Piece(`{"eventKey":${boot}:${p.sec}.`), iso];
  });
}

/** `{"eventKey":"BOOT:SEC.MSEC:SERIAL","observedAt":"ISO` up to the end of observedAt's milliseconds. */
function putStamp(p: SeccompEventParts, buf: Buffer, start: number): number {
  const stamp = stampPieces(p);
  let at = putBytes(buf, start, stamp.bytes.bytes);
  at = putThreeDigits(buf, at, p.msec);
  buf[at++] = 58; /* : */
  at = putNumber(buf, at, p.serial);
  at = putBytes(buf, at, stamp.more.bytes);
  return putThreeDigits(buf, at, p.msec);
}

/** From observedAt's microseconds to the opening of process, after a plain stamp. */
function streamPiece(p: SeccompEventParts): Piece {
  return STREAMS.get(p.host, p.bootId, p.source, () => {
    // The microseconds of an audit stamp are always 000.
    const boot = p.bootId === undefined ? '' : `,"bootId":${json(p.bootId)}`;
    const text = `000Z","host":${json(p.host)}${boot},"source":${json(p.source)},"kind":"seccomp","process":{`;
    return [utf8Piece(text), NONE];
  }).bytes;
}

/** `,"nr":N,"name":NAME,"compat":C}` of a syscall number (a safe integer) with its arch. */
function callPiece(arch: ArchPiece, nr: number, p: SeccompEventParts): Piece {
  const kept = nr < NUMBERS_KEPT;
  let call = kept ? arch.calls[nr] : arch.others.get(nr);
  if (call === undefined || call.name !== p.name || call.compat !== p.compat) {
    const name = p.name === undefined ? '' : `,"name":${json(p.name)}`;
    const compat = p.compat === undefined ? '' : `,"compat":${p.compat}`;
    call = { name: p.name, compat: p.compat, piece: utf8Piece(`,"nr":${nr}${name}${compat}}`) };
    if (kept) arch.calls[nr] = call;
    else {
      if (arch.others.size >= NUMBERS_KEPT) arch.others.clear();
      arch.others.set(nr, call);
    }
  }
  return call.piece;
}

/** `,"signal":{"nr":N,"name":NAME}` of an event with a signal. */
function signalPiece(p: SeccompEventParts & { signalNr: number }): Piece {
  const signalNr = p.signalNr;
  return SIGNALS.get(signalNr, p.signalName, undefined, () => {
    const name = p.signalName === undefined ? '' : `,"name":${json(p.signalName)}`;
    return [utf8Piece(`,"signal":{"nr":${JSON.stringify(signalNr)}${name}}`), NONE];
  }).bytes;
}

/** A syscall number whose piece is kept with its arch (SecurityEvent's numbers are unsigned). */
const keptNumber = (nr: number | undefined): nr is number =>
  nr !== undefined && nr >= 0 && Number.isSafeInteger(nr);

// The pieces of the event the module writes (one object, filled per event).
const modulePieces: EventPieces = {
  stamp: NONE,
  observedAt: NONE,
  stream: NONE,
  arch: NONE,
  call: NONE,
  action: NONE,
  signal: undefined,
  details: NONE,
};

/** How many lines writeSeccompPartsJson had the module write, and how many it wrote itself. */
export const partsJsonWriters = { module: 0, js: 0 };

/**
 * Writes JSON.stringify(seccompEventOfParts(p)) as UTF-8 into buf at `start`; returns where it
 * ends. The caller leaves seccompPartsJsonMaxBytes(p) bytes of room.
 */
export function writeSeccompPartsJson(p: SeccompEventParts, buf: Buffer, start: number): number {
  const plain = stampIsPlain(p);
  if (plain && p.arch !== undefined && keptNumber(p.nr) && p.code !== undefined) {
    // The usual event: its line written by the module, from the pieces the JS below copies.
    const stamp = stampPieces(p);
    const arch = archPiece(p.arch);
    const code = codePiece(p as SeccompEventParts & { code: string });
    const e = modulePieces;
    e.stamp = stamp.bytes;
    e.observedAt = stamp.more;
    e.stream = streamPiece(p);
    e.arch = arch.head;
    e.call = callPiece(arch, p.nr, p);
    e.action = code.head;
    e.signal =
      p.signalNr === undefined ? undefined : signalPiece(p as SeccompEventParts & { signalNr: number });
    e.details = code.tail;
    const end = writeEventInModule(p, e, buf, start);
    if (end >= 0) {
      partsJsonWriters.module++;
      return end;
    }
  }
  partsJsonWriters.js++;
  let at: number;
  if (plain) {
    at = putStamp(p, buf, start);
    at = putBytes(buf, at, streamPiece(p).bytes);
  } else {
    at = put(buf, start, EVENT_KEY);
    at = putString(buf, at, seccompEventKey(p));
    at = putString(buf, put(buf, at, OBSERVED_AT), seccompObservedAt(p));
    const boot = p.bootId === undefined ? '' : `,"bootId":${json(p.bootId)}`;
    const text = `,"host":${json(p.host)}${boot},"source":${json(p.source)},"kind":"seccomp","process":{`;
    at += buf.write(text, at, 'utf8');
  }
  const open = at;
  if (p.pid !== undefined) at = putNumber(buf, putMember(buf, at, PID, at === open), p.pid);
  if (p.ppid !== undefined) at = putNumber(buf, putMember(buf, at, PPID, at === open), p.ppid);
  if (p.uid !== undefined) at = putNumber(buf, putMember(buf, at, UID, at === open), p.uid);
  if (p.gid !== undefined) at = putNumber(buf, putMember(buf, at, GID, at === open), p.gid);
  if (p.auid !== undefined) at = putNumber(buf, putMember(buf, at, AUID, at === open), p.auid);
  if (p.ses !== undefined) at = putNumber(buf, putMember(buf, at, SES, at === open), p.ses);
  if (p.comm !== undefined) at = putString(buf, putMember(buf, at, COMM, at === open), p.comm);
  if (p.exe !== undefined) at = putString(buf, putMember(buf, at, EXE, at === open), p.exe);
  if (p.cmdline !== undefined) at = putString(buf, putMember(buf, at, CMDLINE, at === open), p.cmdline);
  buf[at++] = 125; /* } */
  if (p.containerId !== undefined) {
    at = put(buf, at, CONTAINER);
    at = putString(buf, putMember(buf, at, ID, true), p.containerId);
    buf[at++] = 125;
  }
  const nr = p.nr;
  if (p.arch !== undefined && keptNumber(nr)) {
    // The common case: arch and number known, their pieces made once.
    const arch = archPiece(p.arch);
    at = putBytes(buf, putBytes(buf, at, arch.head.bytes), callPiece(arch, nr, p).bytes);
  } else {
    at = putBytes(buf, at, SYSCALL_OPEN);
    const call = at;
    if (p.arch !== undefined) at = putString(buf, putMember(buf, at, ARCH, true), p.arch);
    if (nr !== undefined) at = putNumber(buf, putMember(buf, at, NR, at === call), nr);
    if (p.name !== undefined) at = putString(buf, putMember(buf, at, NAME, at === call), p.name);
    if (p.compat !== undefined)
      at = put(buf, putMember(buf, at, COMPAT, at === call), p.compat ? TRUE : FALSE);
    buf[at++] = 125;
  }
  const code = p.code === undefined ? undefined : codePiece(p as SeccompEventParts & { code: string });
  if (code === undefined) at = putString(buf, putBytes(buf, at, ACTION), p.action);
  else at = putBytes(buf, at, code.head.bytes);
  if (p.signalNr !== undefined)
    at = putBytes(buf, at, signalPiece(p as SeccompEventParts & { signalNr: number }).bytes);
  let details: number;
  if (code !== undefined) {
    at = putBytes(buf, at, code.tail.bytes);
    details = -1;
  } else {
    at = putBytes(buf, at, isBlockingAction(p.action) ? BLOCKED_TRUE_DETAILS : BLOCKED_FALSE_DETAILS);
    details = at;
    // unknownCode goes with a code only.
  }
  if (p.auditArch !== undefined)
    at = putString(buf, putMember(buf, at, AUDIT_ARCH, at === details), p.auditArch);
  if (p.syscallNr !== undefined)
    at = putNumber(buf, putMember(buf, at, SYSCALL_NR, at === details), p.syscallNr);
  if (p.sig !== undefined) at = putNumber(buf, putMember(buf, at, SIG, at === details), p.sig);
  if (p.exeNull) at = putMember(buf, at, EXE_NULL, at === details);
  if (p.ip !== undefined) at = putString(buf, putMember(buf, at, IP, at === details), p.ip);
  if (p.subj !== undefined) at = putString(buf, putMember(buf, at, SUBJ, at === details), p.subj);
  if (p.reason !== undefined) at = putString(buf, putMember(buf, at, REASON, at === details), p.reason);
  if (p.cwd !== undefined) at = putString(buf, putMember(buf, at, CWD, at === details), p.cwd);
  if (p.auditKey !== undefined)
    at = putString(buf, putMember(buf, at, AUDIT_KEY, at === details), p.auditKey);
  if (p.exit !== undefined) at = putNumber(buf, putMember(buf, at, EXIT, at === details), p.exit);
  at = putString(buf, putBytes(buf, at, RAW_OPEN), p.raw);
  buf[at++] = 125;
  return at;
}
