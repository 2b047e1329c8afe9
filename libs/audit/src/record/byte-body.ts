import type { AuditLineShape, SeccompFields } from './audit-record.js';
import { untrustedString } from './audit-value.js';
import { asciiText } from './byte-text.js';
import { NUMERIC_KEY, SECCOMP_KEYS } from './record-body.js';
import { constant, memory, wasm } from './byte-module.js';

/**
 * What JS makes of the byte reader's WebAssembly module's results (byte-module.ts). A JS byte loop costs about 1 ns a byte; the module reads:
 *   - the SECCOMP body (parseSeccompBodyBytes): its keys in the kernel's order, each value in its
 *     usual form. It reads every byte up to where it stops, so it also says whether they were all
 *     ASCII. Anything else (an unknown, repeated or reordered key, a quoted number, `reason=`, a
 *     byte past ASCII) gives undefined, and the caller hands the line to the string parser
 *     (record-body.ts), whose result this one equals wherever it gives one;
 *   - whole SECCOMP lines in the shapes the kernel and auditd write (seccompLineBytes), else
 *     undefined and byte-line.ts reads the line;
 *   - the members of journald's JSON entries (journaldMembers, for byte-journald.ts);
 *   - the newlines of the window (windowNewlines, for window-lines.ts).
 * Bytes are read in the module's memory: the window (bodyWindow) and journald's values
 * (bodyValues) are there; any other bytes are copied in first. Numbers come back as the JS
 * readers compute them; strings as ids of values the module interned (one string per id is kept
 * here) or as spans of the bytes.
 */

const INPUT = constant('INPUT');
const WINDOW_SIZE = constant('WINDOW_SIZE');
const VALUES_AT = constant('VALUES_AT');
const VALUES_SIZE = constant('VALUES_SIZE');
const COPY_AT = constant('COPY_AT');
const COPY_SIZE = constant('INPUT_SIZE') - COPY_AT;
const input = new Uint8Array(memory, INPUT, COPY_AT + COPY_SIZE);
/** Lines copied here have their bodies read where they are (no copy per body). */
export const bodyWindow = Buffer.from(memory, INPUT, WINDOW_SIZE);
/** Where windowNewlines put the offsets of the window's newlines. */
export const windowNewlineAt = new Int32Array(memory, constant('NEWLINE_AT'), WINDOW_SIZE);
/** The offsets of the newlines in bodyWindow[0, size), in order, into windowNewlineAt; returns how many. */
export function windowNewlines(size: number): number {
  return wasm.newlines(size);
}
/** The same for journald's unescaped values. */
export const bodyValues = Buffer.from(memory, INPUT + VALUES_AT, VALUES_SIZE);

/**
 * Where bytes[start, end) are in the module's input, as the offset to add to theirs: the window
 * and journald's values are there already, other bytes are copied in. NaN when too long.
 */
function inModule(bytes: Uint8Array, start: number, end: number): number {
  if (bytes === bodyWindow) return 0;
  if (bytes === bodyValues) return VALUES_AT;
  // Longer than any line the kernel writes: the caller's other reader reads it.
  if (end - start > COPY_SIZE) return NaN;
  input.set(bytes.subarray(start, end), COPY_AT);
  return COPY_AT - start;
}
const numbers = new Float64Array(memory, constant('NUMBERS'), 32);
// Per key, a string entry: form, id, start, end, new (intern.ts in the module).
const strings = new Int32Array(memory, constant('STRINGS'), 32 * 5);
const present = new Uint32Array(memory, constant('PRESENT'), 1);
// line()'s seconds, milliseconds and serial; its host as a string entry.
const header = new Float64Array(memory, constant('HEADER'), 3);
const host = new Int32Array(memory, constant('HOST_ENTRY'), 5);
const SHAPES: readonly AuditLineShape[] = ['auditd', 'enriched', 'kmsg', 'dmesg', 'syslog'];

// How each key's value is read (the module's constants).
const NUMBER = 0;
const KIND_OF: Record<string, number> = { subj: 1, comm: 2, exe: 3, reason: 4, arch: 5, ip: 6, code: 7 };
const TEXT = 1;
const DECODED = 2;
// 3: `?` (no value), 4: `(null)`.
const NULL = 4;
const SPAN = 5;

{
  // The keys, each with its `=` (one word: 8 bytes at most), and their kinds into the module.
  const keyText = SECCOMP_KEYS.map((k) => `${k}=`);
  const words = new Uint8Array(memory, constant('KEY_WORD'), keyText.length * 8);
  const length = new Int32Array(memory, constant('KEY_LENGTH'), keyText.length);
  const kind = new Int32Array(memory, constant('KEY_KIND'), keyText.length);
  keyText.forEach((k, n) => {
    if (k.length > 8) throw new Error(`SECCOMP key ${k} is longer than the body reader's 8 bytes`);
    for (let c = 0; c < k.length; c++) words[n * 8 + c] = k.charCodeAt(c);
    length[n] = k.length;
    kind[n] = NUMERIC_KEY[n] ? NUMBER : KIND_OF[SECCOMP_KEYS[n]];
  });
  wasm.setKeys(keyText.length);
}

// The string of each interned id: values as written (quoted comm and exe, subj, arch, code),
// and unquoted comm and exe decoded from the kernel's hex.
const values: string[] = [];
const decode = (hex: string): string => untrustedString(hex, false) as string;

/** Where parseSeccompBodyBytes stopped: the line's end or its 0x1D separator. */
export const bodyScan = { end: 0 };

/** The string value of key `key` (read by the module), `delta` from its offsets to `bytes`'. */
function stringOf(
  key: number,
  bytes: Uint8Array,
  delta: number,
  line: string | undefined,
  lineStart: number,
): string | null | undefined {
  const at = key * 5;
  const form = strings[at];
  if (form === TEXT || form === DECODED) {
    const id = strings[at + 1];
    if (id >= 0 && strings[at + 4] === 0) return values[id];
    const text = asciiText(bytes, strings[at + 2] + delta, strings[at + 3] + delta);
    const value = form === TEXT ? text : decode(text);
    if (id >= 0) values[id] = value;
    return value;
  }
  if (form === SPAN) {
    // A value of every record (no use keeping it): cut from the line's text when there is one.
    const start = strings[at + 2] + delta;
    const end = strings[at + 3] + delta;
    return line === undefined
      ? asciiText(bytes, start, end)
      : line.substring(start - lineStart, end - lineStart);
  }
  return form === NULL ? null : undefined;
}

// SECCOMP_KEYS order.
const AUID = 0;
const UID = 1;
const GID = 2;
const SES = 3;
const SUBJ = 4;
const PID = 5;
const COMM = 6;
const EXE = 7;
const SIG = 9;
const ARCH = 10;
const SYSCALL = 11;
const COMPAT = 12;
const IP = 13;
const CODE = 14;

/**
 * The fields of a SECCOMP body in bytes[start, end), or undefined (see above). bodyScan.end is
 * set to the first 0x1D at or after start, or `end`. `line`, when given, is the text of the
 * bytes from `lineStart` on, made as if they were ASCII (latin1).
 */
export function parseSeccompBodyBytes(
  bytes: Uint8Array,
  start: number,
  end: number,
  line?: string,
  lineStart = 0,
): SeccompFields | undefined {
  const base = inModule(bytes, start, end);
  if (Number.isNaN(base)) return undefined;
  const stop = wasm.body(start + base, end + base);
  if (stop < 0) return undefined;
  // From the module's offsets to the bytes'.
  bodyScan.end = stop - base;
  return readFields(bytes, -base, line, lineStart);
}

/** The fields the module read, `delta` from its offsets to those of `bytes` (see stringOf). */
function readFields(
  bytes: Uint8Array,
  delta: number,
  line: string | undefined,
  lineStart: number,
): SeccompFields {
  const mask = present[0];
  // In key order: a value new to the module is kept here before a later key reads its id.
  const subj = stringOf(SUBJ, bytes, delta, line, lineStart);
  const comm = stringOf(COMM, bytes, delta, line, lineStart);
  const exe = stringOf(EXE, bytes, delta, line, lineStart);
  const arch = stringOf(ARCH, bytes, delta, line, lineStart);
  const ip = stringOf(IP, bytes, delta, line, lineStart);
  const code = stringOf(CODE, bytes, delta, line, lineStart);
  // The members in newSeccompFields' order: the same hidden class as the string parser's.
  return {
    auid: mask & (1 << AUID) ? numbers[AUID] : undefined,
    uid: mask & (1 << UID) ? numbers[UID] : undefined,
    gid: mask & (1 << GID) ? numbers[GID] : undefined,
    ses: mask & (1 << SES) ? numbers[SES] : undefined,
    subj: subj ?? undefined,
    pid: mask & (1 << PID) ? numbers[PID] : undefined,
    // `(null)` is no comm.
    comm: comm ?? undefined,
    exe,
    sig: mask & (1 << SIG) ? numbers[SIG] : undefined,
    arch: arch ?? undefined,
    syscall: mask & (1 << SYSCALL) ? numbers[SYSCALL] : undefined,
    compat: mask & (1 << COMPAT) ? numbers[COMPAT] !== 0 : undefined,
    ip: ip ?? undefined,
    code: code ?? undefined,
    reason: undefined,
  };
}

/** What seccompLineBytes read besides the body: the line's shape, host, stamp and text. */
export const windowLine = {
  shape: 'auditd' as AuditLineShape,
  host: undefined as string | undefined,
  sec: 0,
  msec: 0,
  serial: 0,
  text: '',
};

/**
 * The body of a SECCOMP record line in bytes[start, end), read with its prefix by the module
 * (line() in the AssemblyScript: the auditd, enriched and kernel shapes as byte-line.ts reads
 * them), the rest in windowLine; undefined for any other line, which byte-line.ts reads.
 */
export function seccompLineBytes(bytes: Uint8Array, start: number, end: number): SeccompFields | undefined {
  const base = inModule(bytes, start, end);
  if (Number.isNaN(base)) return undefined;
  const shape = wasm.line(start + base, end + base);
  if (shape < 0) return undefined;
  const text = asciiText(bytes, start, end);
  windowLine.shape = SHAPES[shape];
  windowLine.sec = header[0];
  windowLine.msec = header[1];
  windowLine.serial = header[2];
  windowLine.text = text;
  // The host first: its id may be new, and the body's values come after it.
  let hostName: string | undefined;
  if (host[0] !== 0) {
    const id = host[1];
    if (id >= 0 && host[4] === 0) hostName = values[id];
    else {
      hostName = asciiText(bytes, host[2] - base, host[3] - base);
      if (id >= 0) values[id] = hostName;
    }
  }
  windowLine.host = hostName;
  return readFields(bytes, -base, text, start);
}

/**
 * Where journaldMembers put each named member's value in bodyValues (start -1: absent); the
 * JS reader (byte-journald.ts) fills them the same way.
 */
export const memberStart = new Int32Array(memory, constant('MEMBER_START'), 8);
export const memberEnd = new Int32Array(memory, constant('MEMBER_END'), 8);

/** The names journaldMembers looks for (at most 8 of at most 32 bytes), in memberStart's order. */
export function setJournaldNames(names: readonly Uint8Array[]): void {
  const text = new Uint8Array(memory, constant('NAME_TEXT'), 8 * 32);
  const length = new Int32Array(memory, constant('NAME_LENGTH'), 8);
  if (names.length > 8 || names.some((n) => n.length > 32))
    throw new Error('journald names do not fit the module');
  names.forEach((name, k) => {
    text.set(name, k * 32);
    length[k] = name.length;
  });
  wasm.setNames(names.length);
}

/**
 * The string members of the journald JSON entry in bodyWindow[start, end) read by the module,
 * their values unescaped into bodyValues (scanMembers in byte-journald.ts, which it equals):
 * false when the entry is not that simple, undefined when it does not fit (JS reads it).
 */
export function journaldMembers(start: number, end: number): boolean | undefined {
  const simple = wasm.journald(start, end);
  return simple < 0 ? undefined : simple === 1;
}

const JSON_MAX = constant('JSON_MAX');
const jsonIn = Buffer.from(memory, constant('JSON_IN'), JSON_MAX);
const jsonOut = Buffer.from(memory, constant('JSON_OUT'), JSON_MAX * 6 + 2);

/**
 * `s` as JSON.stringify writes it, UTF-8, into buf at `start` (room left for six bytes a
 * character and the quotes): written by the module when every character is ASCII and there are
 * at most 16 KiB of them. Returns where it ends, or -1 when it did not write (the caller does).
 */
export function putJsonStringInModule(buf: Buffer, start: number, s: string): number {
  if (s.length > JSON_MAX) return -1;
  // One byte a character only when every character is ASCII.
  const n = jsonIn.write(s, 0, 'utf8');
  if (n !== s.length) return -1;
  const m = wasm.jsonString(n);
  return start + jsonOut.copy(buf, start, 0, m);
}
