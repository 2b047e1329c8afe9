import type { SecurityEvent } from '@sandtrap/events';
import { putJsonStringInModule } from '../record/byte-body.js';

/**
 * JSON.stringify(event) of an event made by seccompEvent, written as UTF-8 straight into a
 * buffer: no string is built for the line, and no generic walk over the objects (JSON.stringify
 * and encoding its result took a quarter of `sandtrap parse`). The members come in the order
 * seccompEvent creates them, undefined ones left out, `details` in its own key order; strings
 * are escaped as JSON.stringify escapes them. A string with a character past ASCII goes through
 * JSON.stringify itself (so lone surrogates become \udXXX exactly as there).
 */

// Constant pieces, encoded once.
export const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
export const EVENT_KEY = ascii('{"eventKey":');
export const OBSERVED_AT = ascii(',"observedAt":');
export const HOST = ascii(',"host":');
export const BOOT_ID = ascii(',"bootId":');
export const SOURCE = ascii(',"source":');
const KIND = ascii(',"kind":');
const PROCESS = ascii(',"process":{');
export const CONTAINER = ascii(',"container":{');
export const SYSCALL = ascii(',"syscall":{');
const ACTION = ascii(',"action":');
export const SIGNAL = ascii(',"signal":{');
export const BLOCKED_TRUE = ascii(',"blocked":true');
export const BLOCKED_FALSE = ascii(',"blocked":false');
export const DETAILS = ascii(',"details":{');
export const RAW = ascii(',"raw":');
export const TRUE = ascii('true');
export const FALSE = ascii('false');
const NULL = ascii('null');
// `"name":` of the members of the nested objects, each with a leading comma.
export const PID = ascii(',"pid":');
export const PPID = ascii(',"ppid":');
export const UID = ascii(',"uid":');
export const GID = ascii(',"gid":');
export const AUID = ascii(',"auid":');
export const SES = ascii(',"ses":');
export const COMM = ascii(',"comm":');
export const EXE = ascii(',"exe":');
export const CMDLINE = ascii(',"cmdline":');
export const ID = ascii(',"id":');
export const ARCH = ascii(',"arch":');
export const NR = ascii(',"nr":');
export const NAME = ascii(',"name":');
export const COMPAT = ascii(',"compat":');
// The members of details writeSeccompPartsJson writes, and the raw line after them.
export const AUDIT_ARCH = ascii(',"auditArch":');
export const SYSCALL_NR = ascii(',"syscallNr":');
export const SIG = ascii(',"sig":');
export const EXE_NULL = ascii(',"exe":"(null)"');
export const IP = ascii(',"ip":');
export const SUBJ = ascii(',"subj":');
export const REASON = ascii(',"reason":');
export const CWD = ascii(',"cwd":');
export const AUDIT_KEY = ascii(',"auditKey":');
export const EXIT = ascii(',"exit":');
export const RAW_OPEN = ascii('},"raw":');
const HEX = ascii('0123456789abcdef');

/** Bytes an event's JSON can take at most (escapes take six bytes a character at most). */
export function seccompEventJsonMaxBytes(event: SecurityEvent): number {
  let chars = event.eventKey.length + event.observedAt.length + event.host.length + (event.raw?.length ?? 0);
  chars += (event.bootId?.length ?? 0) + event.source.length + event.kind.length + event.action.length;
  const p = event.process;
  if (p !== undefined) chars += (p.comm?.length ?? 0) + (p.exe?.length ?? 0) + (p.cmdline?.length ?? 0);
  chars += event.container?.id?.length ?? 0;
  chars += (event.syscall?.arch?.length ?? 0) + (event.syscall?.name?.length ?? 0);
  chars += event.signal?.name?.length ?? 0;
  const d = event.details;
  if (d !== undefined) {
    for (const key in d) {
      const v = d[key];
      chars += key.length + 32 + (typeof v === 'string' ? v.length : 0);
      // Anything else than a string, number or boolean is written by JSON.stringify: count it.
      if (typeof v === 'object' && v !== null) chars += (JSON.stringify(v) ?? '').length;
    }
  }
  // Six bytes a character, plus the constant parts and the numbers.
  return chars * 6 + 1024;
}

export function put(buf: Buffer, at: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) buf[at + i] = bytes[i];
  return at + bytes.length;
}

/** `bytes` without its leading comma when it is the object's first member. */
export function putMember(buf: Buffer, at: number, bytes: Uint8Array, first: boolean): number {
  for (let i = first ? 1 : 0; i < bytes.length; i++) buf[at++] = bytes[i];
  return at;
}

/** Bytes of the escape of an ASCII byte in a JSON string: 1 (none), 2 (\\" \\n ...) or 6 (\\u00XX). */
const ESCAPED_BYTES = Uint8Array.from({ length: 128 }, (_, c) =>
  c === 34 || c === 92 || c === 8 || c === 9 || c === 10 || c === 12 || c === 13 ? 2 : c < 32 ? 6 : 1,
);
const SHORT_ESCAPE: Record<number, number> = { 34: 34, 92: 92, 8: 98, 9: 116, 10: 110, 12: 102, 13: 114 };

// Shorter strings are copied a character at a time; longer ones by Buffer.write, then escaped.
const SHORT_STRING = 32;

/** A string as JSON.stringify writes it, UTF-8. */
export function putString(buf: Buffer, start: number, s: string): number {
  if (s.length >= SHORT_STRING) return putLongString(buf, start, s);
  let at = start;
  buf[at++] = 34; /* " */
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 32 && c < 127) {
      if (c === 34 || c === 92) buf[at++] = 92; /* \ */
      buf[at++] = c;
    } else if (c < 128) at = putEscape(buf, at, c);
    // Past ASCII: JSON.stringify's own text (surrogates, U+2028 ...), encoded as UTF-8.
    else return start + buf.write(JSON.stringify(s), start, 'utf8');
  }
  buf[at++] = 34;
  return at;
}

/** The escape of an ASCII control character (or DEL, which is not escaped). */
function putEscape(buf: Buffer, start: number, c: number): number {
  let at = start;
  if (ESCAPED_BYTES[c] === 1) {
    buf[at++] = c;
    return at;
  }
  buf[at++] = 92; /* \ */
  const short = SHORT_ESCAPE[c];
  if (short !== undefined) buf[at++] = short;
  else {
    buf[at++] = 117; /* u */
    buf[at++] = 48;
    buf[at++] = 48;
    buf[at++] = HEX[c >> 4];
    buf[at++] = HEX[c & 15];
  }
  return at;
}

// An Int32Array over the ArrayBuffer last written to: the escape scan reads four bytes at a time.
let wordsBuffer: ArrayBufferLike | undefined;
let words: Int32Array<ArrayBufferLike> = new Int32Array(0);

/**
 * The first byte in buf[from, end), all ASCII, that a JSON string escapes (below 32, `"`, `\\`),
 * or -1. Whole aligned words are tested at once: for ASCII bytes, (x - 0x20..) & ~x has a high
 * bit set exactly when a byte is below 0x20, and x ^ 0x22.. has a zero byte exactly at a quote.
 */
function firstEscape(buf: Buffer, from: number, end: number): number {
  const base = buf.byteOffset;
  let i = from;
  while (i < end && ((base + i) & 3) !== 0) {
    if (ESCAPED_BYTES[buf[i]] !== 1) return i;
    i++;
  }
  if (i >= end) return -1;
  if (buf.buffer !== wordsBuffer) {
    wordsBuffer = buf.buffer;
    words = new Int32Array(buf.buffer, 0, buf.buffer.byteLength >> 2);
  }
  const w = words;
  let k = (base + i) >> 2;
  const last = (base + end) >> 2;
  for (; k < last; k++) {
    const x = w[k];
    const q = x ^ 0x22222222;
    const b = x ^ 0x5c5c5c5c;
    if ((((x - 0x20202020) & ~x) | ((q - 0x01010101) & ~q) | ((b - 0x01010101) & ~b)) & 0x80808080) break;
  }
  for (i = (k << 2) - base; i < end; i++) if (ESCAPED_BYTES[buf[i]] !== 1) return i;
  return -1;
}

// Where the bytes to escape are, in the string being written (grown when a longer one comes).
let escapeAt = new Int32Array(256);

// Segments shorter than this are moved a byte at a time (a call costs more).
const SHORT_MOVE = 24;

/**
 * putString of a long string: by the byte reader's WebAssembly module when it is ASCII (a JS
 * byte loop costs about 1 ns a byte), else its bytes written natively, then escaped in place.
 */
function putLongString(buf: Buffer, start: number, s: string): number {
  const inModule = putJsonStringInModule(buf, start, s);
  if (inModule >= 0) return inModule;
  buf[start] = 34; /* " */
  const from = start + 1;
  const n = buf.write(s, from, 'utf8');
  // One byte a character only when every character is ASCII (any other takes two or more).
  if (n !== s.length) return start + buf.write(JSON.stringify(s), start, 'utf8');
  let end = from + n;
  let count = 0;
  let extra = 0;
  for (let i = firstEscape(buf, from, end); i >= 0; i = firstEscape(buf, i + 1, end)) {
    if (count === escapeAt.length) {
      const grown = new Int32Array(count * 2);
      grown.set(escapeAt);
      escapeAt = grown;
    }
    escapeAt[count++] = i;
    extra += ESCAPED_BYTES[buf[i]] - 1;
  }
  if (count !== 0) {
    // Move the bytes after each one to escape out to their places, back to front.
    let to = end + extra;
    let segmentEnd = end;
    for (let j = count - 1; j >= 0; j--) {
      const at = escapeAt[j];
      const length = segmentEnd - at - 1;
      to -= length;
      if (length >= SHORT_MOVE) buf.copyWithin(to, at + 1, segmentEnd);
      else for (let m = length - 1; m >= 0; m--) buf[to + m] = buf[at + 1 + m];
      const c = buf[at];
      to -= ESCAPED_BYTES[c];
      putEscape(buf, to, c);
      segmentEnd = at;
    }
    end += extra;
  }
  buf[end++] = 34;
  return end;
}

/** A number as JSON.stringify writes it. */
export function putNumber(buf: Buffer, start: number, n: number): number {
  // Most numbers are small non-negative integers: their digits from the right, in int32 steps.
  if (n >= 0 && n <= 0x7fffffff && (n | 0) === n) {
    let v = n | 0;
    const end =
      start +
      (v < 10
        ? 1
        : v < 100
          ? 2
          : v < 1000
            ? 3
            : v < 10000
              ? 4
              : v < 100000
                ? 5
                : v < 1000000
                  ? 6
                  : v < 10000000
                    ? 7
                    : v < 100000000
                      ? 8
                      : v < 1000000000
                        ? 9
                        : 10);
    let at = end;
    do {
      const q = (v / 10) | 0;
      buf[--at] = 48 + v - q * 10;
      v = q;
    } while (v !== 0);
    return end;
  }
  if (!Number.isFinite(n)) return put(buf, start, NULL);
  if (!Number.isSafeInteger(n)) return start + buf.write(String(n), start, 'latin1');
  let at = start;
  let v = n;
  if (v < 0) {
    buf[at++] = 45; /* - */
    v = -v;
  }
  // Digits from the right, then reversed in place; -0 and 0 both give "0".
  const first = at;
  do {
    buf[at++] = 48 + (v % 10);
    v = Math.floor(v / 10);
  } while (v > 0);
  for (let i = first, j = at - 1; i < j; i++, j--) {
    const t = buf[i];
    buf[i] = buf[j];
    buf[j] = t;
  }
  return at;
}

/** Any member value as JSON.stringify writes it; -1 when it leaves the member out. */
function putValue(buf: Buffer, at: number, v: unknown): number {
  switch (typeof v) {
    case 'string':
      return putString(buf, at, v);
    case 'number':
      return putNumber(buf, at, v);
    case 'boolean':
      return put(buf, at, v ? TRUE : FALSE);
    case 'undefined':
    case 'function':
    case 'symbol':
      return -1;
    case 'bigint':
    case 'object': {
      // Objects, arrays, null (and a bigint throws, as in JSON.stringify).
      const text = JSON.stringify(v) as string | undefined;
      return text === undefined ? -1 : at + buf.write(text, at, 'utf8');
    }
  }
}

/** `,"key":value` (no comma when first); returns `at` unchanged when the value is left out. */
function putOptional(buf: Buffer, at: number, key: Uint8Array, v: unknown, first: boolean): number {
  if (v === undefined) return at;
  const end = putValue(buf, putMember(buf, at, key, first), v);
  return end < 0 ? at : end;
}

/**
 * Writes JSON.stringify(event) as UTF-8 into buf at `at` and returns where it ends. The caller
 * leaves seccompEventJsonMaxBytes(event) bytes of room.
 */
export function writeSeccompEventJson(event: SecurityEvent, buf: Buffer, start: number): number {
  let at = put(buf, start, EVENT_KEY);
  at = putString(buf, at, event.eventKey);
  at = putString(buf, put(buf, at, OBSERVED_AT), event.observedAt);
  at = putString(buf, put(buf, at, HOST), event.host);
  if (event.bootId !== undefined) at = putString(buf, put(buf, at, BOOT_ID), event.bootId);
  at = putString(buf, put(buf, at, SOURCE), event.source);
  at = putString(buf, put(buf, at, KIND), event.kind);
  const p = event.process;
  if (p !== undefined) {
    at = put(buf, at, PROCESS);
    const open = at;
    at = putOptional(buf, at, PID, p.pid, at === open);
    at = putOptional(buf, at, PPID, p.ppid, at === open);
    at = putOptional(buf, at, UID, p.uid, at === open);
    at = putOptional(buf, at, GID, p.gid, at === open);
    at = putOptional(buf, at, AUID, p.auid, at === open);
    at = putOptional(buf, at, SES, p.ses, at === open);
    at = putOptional(buf, at, COMM, p.comm, at === open);
    at = putOptional(buf, at, EXE, p.exe, at === open);
    at = putOptional(buf, at, CMDLINE, p.cmdline, at === open);
    buf[at++] = 125; /* } */
  }
  const c = event.container;
  if (c !== undefined) {
    at = put(buf, at, CONTAINER);
    at = putOptional(buf, at, ID, c.id, true);
    buf[at++] = 125;
  }
  const y = event.syscall;
  if (y !== undefined) {
    at = put(buf, at, SYSCALL);
    const open = at;
    at = putOptional(buf, at, ARCH, y.arch, true);
    at = putOptional(buf, at, NR, y.nr, at === open);
    at = putOptional(buf, at, NAME, y.name, at === open);
    at = putOptional(buf, at, COMPAT, y.compat, at === open);
    buf[at++] = 125;
  }
  at = putString(buf, put(buf, at, ACTION), event.action);
  const g = event.signal;
  if (g !== undefined) {
    at = put(buf, at, SIGNAL);
    const open = at;
    at = putOptional(buf, at, NR, g.nr, true);
    at = putOptional(buf, at, NAME, g.name, at === open);
    buf[at++] = 125;
  }
  at = put(buf, at, event.blocked ? BLOCKED_TRUE : BLOCKED_FALSE);
  const d = event.details;
  if (d !== undefined) {
    at = put(buf, at, DETAILS);
    const open = at;
    // Keys added one by one, none integer-like: for-in order is JSON.stringify's order.
    for (const key in d) {
      const v = d[key];
      if (v === undefined) continue;
      const keyStart = at;
      if (at !== open) buf[at++] = 44; /* , */
      at = putString(buf, at, key);
      buf[at++] = 58; /* : */
      const end = putValue(buf, at, v);
      at = end < 0 ? keyStart : end;
    }
    buf[at++] = 125;
  }
  if (event.raw !== undefined) at = putString(buf, put(buf, at, RAW), event.raw);
  buf[at++] = 125;
  return at;
}
