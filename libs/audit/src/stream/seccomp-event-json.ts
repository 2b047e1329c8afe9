import type { SecurityEvent } from '@sandtrap/events';

/**
 * JSON.stringify(event) of an event made by seccompEvent, written as UTF-8 straight into a
 * buffer: no string is built for the line, and no generic walk over the objects (JSON.stringify
 * and encoding its result took a quarter of `sandtrap parse`). The members come in the order
 * seccompEvent creates them, undefined ones left out, `details` in its own key order; strings
 * are escaped as JSON.stringify escapes them. A string with a character past ASCII goes through
 * JSON.stringify itself (so lone surrogates become \udXXX exactly as there).
 */

// Constant pieces, encoded once.
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const EVENT_KEY = ascii('{"eventKey":');
const OBSERVED_AT = ascii(',"observedAt":');
const HOST = ascii(',"host":');
const BOOT_ID = ascii(',"bootId":');
const SOURCE = ascii(',"source":');
const KIND = ascii(',"kind":');
const PROCESS = ascii(',"process":{');
const CONTAINER = ascii(',"container":{');
const SYSCALL = ascii(',"syscall":{');
const ACTION = ascii(',"action":');
const SIGNAL = ascii(',"signal":{');
const BLOCKED_TRUE = ascii(',"blocked":true');
const BLOCKED_FALSE = ascii(',"blocked":false');
const DETAILS = ascii(',"details":{');
const RAW = ascii(',"raw":');
const TRUE = ascii('true');
const FALSE = ascii('false');
const NULL = ascii('null');
// `"name":` of the members of the nested objects, each with a leading comma.
const PID = ascii(',"pid":');
const PPID = ascii(',"ppid":');
const UID = ascii(',"uid":');
const GID = ascii(',"gid":');
const AUID = ascii(',"auid":');
const SES = ascii(',"ses":');
const COMM = ascii(',"comm":');
const EXE = ascii(',"exe":');
const CMDLINE = ascii(',"cmdline":');
const ID = ascii(',"id":');
const ARCH = ascii(',"arch":');
const NR = ascii(',"nr":');
const NAME = ascii(',"name":');
const COMPAT = ascii(',"compat":');
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

function put(buf: Buffer, at: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) buf[at + i] = bytes[i];
  return at + bytes.length;
}

/** `bytes` without its leading comma when it is the object's first member. */
function putMember(buf: Buffer, at: number, bytes: Uint8Array, first: boolean): number {
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
function putString(buf: Buffer, start: number, s: string): number {
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

/** putString of a long string: its bytes written natively, then escaped in place. */
function putLongString(buf: Buffer, start: number, s: string): number {
  buf[start] = 34; /* " */
  const from = start + 1;
  const n = buf.write(s, from, 'utf8');
  // One byte a character only when every character is ASCII (any other takes two or more).
  if (n !== s.length) return start + buf.write(JSON.stringify(s), start, 'utf8');
  let end = from + n;
  let extra = 0;
  let first = -1;
  for (let i = from; i < end; i++) {
    const grow = ESCAPED_BYTES[buf[i]] - 1;
    if (grow !== 0) {
      if (first < 0) first = i;
      extra += grow;
    }
  }
  if (extra !== 0) {
    // Move the bytes from the first one to escape out to their places, back to front.
    let to = end + extra;
    for (let i = end - 1; i >= first; i--) {
      const c = buf[i];
      if (ESCAPED_BYTES[c] === 1) buf[--to] = c;
      else {
        to -= ESCAPED_BYTES[c];
        putEscape(buf, to, c);
      }
    }
    end += extra;
  }
  buf[end++] = 34;
  return end;
}

/** A number as JSON.stringify writes it. */
function putNumber(buf: Buffer, start: number, n: number): number {
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
