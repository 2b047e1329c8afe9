import type { SeccompFields } from './audit-record.js';
import { untrustedString } from './audit-value.js';
import { asciiBytes, asciiText, ByteInterner, viewOf } from './byte-text.js';
import { NUMERIC_KEY, SECCOMP_KEYS } from './record-body.js';

/**
 * The SECCOMP body from bytes, for the lines the kernel writes: its keys in its order, each
 * value in its usual form. It reads every byte up to where it stops, so it also says whether
 * they were all ASCII. Anything else (an unknown, repeated or reordered key, a quoted number,
 * `reason=`, a byte past ASCII) gives undefined, and the caller hands the line to the string
 * parser (record-body.ts), whose result this one equals wherever it gives one.
 */

const SPACE = 32;
const QUOTE = 34;
const EQUALS = 61;
// auditd's ENRICHED separator: the body ends there.
const GS = 0x1d;

// Each key with its `=`, one after the other; how each value is read.
const KEY_TEXT = SECCOMP_KEYS.map((k) => `${k}=`);
const KEYS = asciiBytes(KEY_TEXT.join(''));
const KEY_AT = Int32Array.from(KEY_TEXT, (_, k) => KEY_TEXT.slice(0, k).join('').length);
const KEY_LENGTH = Int32Array.from(KEY_TEXT, (k) => k.length);
const NUMBER = 0;
const KIND_OF: Record<string, number> = { subj: 1, comm: 2, exe: 3, reason: 4, arch: 5, ip: 6, code: 7 };
const KIND = Uint8Array.from(SECCOMP_KEYS, (k) =>
  NUMERIC_KEY[SECCOMP_KEYS.indexOf(k)] ? NUMBER : KIND_OF[k],
);
const SUBJ = 1;
const COMM = 2;
const EXE = 3;
const REASON = 4;
const ARCH = 5;
const IP = 6;

// Values that repeat from record to record, by their bytes: quoted comm, exe and subj, arch and
// code as written; unquoted (hex) comm and exe decoded.
const texts = new ByteInterner(4096);
const decoded = new ByteInterner(1024);
const decode = (hex: string): string => untrustedString(hex, false) as string;

/** Where parseSeccompBodyBytes stopped: the line's end or its 0x1D separator. */
export const bodyScan = { end: 0 };

/** Four bytes from bytes[i] as one little-endian word (any past the array read as 0). */
function word(bytes: Uint8Array, i: number): number {
  return bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
}

// The first four bytes of each key and its `=` as a word, the bytes of the word that count
// (`ip=` has three), and its last four bytes (keys longer than four).
const KEY_MASK = Int32Array.from(KEY_TEXT, (k) => (k.length >= 4 ? -1 : (1 << (8 * k.length)) - 1));
const KEY_WORD = Int32Array.from(KEY_TEXT, (_, k) => word(KEYS, KEY_AT[k]) & KEY_MASK[k]);
const KEY_TAIL = Int32Array.from(KEY_TEXT, (k, n) => word(KEYS, KEY_AT[n] + k.length - 4));

/** Index of the key at bytes[i] (key and `=`), from `expected` on; -1 when none. */
function keyAt(view: DataView, bytes: Uint8Array, i: number, end: number, expected: number): number {
  // Near the end, bytes past it may be read into the word; the length check below drops such a match.
  const first = i + 4 <= end ? view.getInt32(i, true) : word(bytes, i);
  for (let k = expected; k < KEY_LENGTH.length; k++) {
    if (KEY_WORD[k] !== (first & KEY_MASK[k])) continue;
    const n = KEY_LENGTH[k];
    if (i + n > end) continue;
    if (n <= 4 || view.getInt32(i + n - 4, true) === KEY_TAIL[k]) return k;
  }
  return -1;
}

/**
 * The four digits of a word read from the bytes, as a number (the first digit in the low
 * byte), or -1 when a byte is not a digit. Digits have high nibble 3, and stay below 0x40 when
 * six is added (a carry out of a byte only comes from one that fails already).
 */
function fourDigits(x: number): number {
  if (((x & 0xf0f0f0f0) | (((x + 0x06060606) & 0xf0f0f0f0) >>> 4)) !== 0x33333333) return -1;
  // Pairs of digits, then the two pairs: each step within its byte or half (99, 9999).
  let t = x - 0x30303030;
  t = (Math.imul(t, 10) + (t >>> 8)) & 0x00ff00ff;
  return (Math.imul(t, 100) + (t >>> 16)) & 0xffff;
}

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
  // The fields in locals, the object made at the end (one allocation, no stores field by field).
  let auid: number | undefined;
  let uid: number | undefined;
  let gid: number | undefined;
  let ses: number | undefined;
  let subj: string | undefined;
  let pid: number | undefined;
  let comm: string | undefined;
  let exe: string | null | undefined;
  let sig: number | undefined;
  let arch: string | undefined;
  let syscall: number | undefined;
  let compat: boolean | undefined;
  let ip: string | undefined;
  let code: string | undefined;
  const view = viewOf(bytes);
  let i = start;
  let expected = 0;
  for (;;) {
    while (i < end && bytes[i] === SPACE) i++;
    if (i >= end || bytes[i] === GS) break;
    const key = keyAt(view, bytes, i, end, expected);
    if (key < 0) return undefined;
    expected = key + 1;
    const kind = KIND[key];
    let v = i + KEY_LENGTH[key];
    if (kind === NUMBER) {
      let j = v;
      if (j < end && bytes[j] === 45 /* - */) j++;
      const digits = j;
      let value = 0;
      // Four digits at a time for the first twelve, where every step is exact as one digit at a
      // time is (record-body.ts reads them so, and a longer number must round as there).
      while (j + 4 <= end && j - digits < 12) {
        const four = fourDigits(view.getInt32(j, true));
        if (four < 0) break;
        value = value * 10000 + four;
        j += 4;
      }
      for (; j < end; j++) {
        const d = bytes[j] - 48;
        if (d < 0 || d > 9) break;
        value = value * 10 + d;
      }
      if (j === digits || j - digits > 16 || (j < end && bytes[j] !== SPACE && bytes[j] !== GS))
        return undefined;
      if (digits !== v) value = -value;
      // SECCOMP_KEYS order.
      switch (key) {
        case 0:
          auid = value;
          break;
        case 1:
          uid = value;
          break;
        case 2:
          gid = value;
          break;
        case 3:
          ses = value;
          break;
        case 5:
          pid = value;
          break;
        case 9:
          sig = value;
          break;
        case 11:
          syscall = value;
          break;
        default:
          compat = value !== 0;
          break;
      }
      i = j;
      continue;
    }
    // `reason` belongs to the ANOM_ABEND form, which the string parser reads.
    if (kind === REASON) return undefined;
    let valueEnd = v;
    if (v < end && bytes[v] === QUOTE) {
      // Quoted: comm and exe only (the kernel quotes nothing else here).
      if (kind !== COMM && kind !== EXE) return undefined;
      v++;
      for (valueEnd = v; valueEnd < end; valueEnd++) {
        const c = bytes[valueEnd];
        if (c === QUOTE || c === GS) break;
      }
      if (valueEnd >= end || bytes[valueEnd] !== QUOTE) return undefined;
      // Interned text is ASCII; a new value is checked before it is kept.
      const text = texts.asciiText(bytes, v, valueEnd);
      if (text === undefined) return undefined;
      if (kind === COMM) comm = text;
      else exe = text;
      i = valueEnd + 1;
      continue;
    }
    if (kind === SUBJ) {
      // AppArmor's subj has spaces: it runs to the next ` pid=` (record-body.ts).
      for (; valueEnd + 4 < end; valueEnd++) {
        const c = bytes[valueEnd];
        if (c === GS) return undefined;
        if (
          c === SPACE &&
          bytes[valueEnd + 1] === 112 /* p */ &&
          bytes[valueEnd + 2] === 105 /* i */ &&
          bytes[valueEnd + 3] === 100 /* d */ &&
          bytes[valueEnd + 4] === EQUALS
        )
          break;
      }
      const text = valueEnd + 4 < end ? texts.asciiText(bytes, v, valueEnd) : undefined;
      if (text === undefined) return undefined;
      subj = text;
      i = valueEnd;
      continue;
    }
    let high = 0;
    for (; valueEnd < end; valueEnd++) {
      const c = bytes[valueEnd];
      if (c === SPACE || c === GS) break;
      high |= c;
    }
    if (high >= 0x80) return undefined;
    i = valueEnd;
    if (kind === IP)
      // A value of every record (no use keeping it): cut from the line's text when there is one.
      ip =
        line === undefined
          ? asciiText(bytes, v, valueEnd)
          : line.substring(v - lineStart, valueEnd - lineStart);
    else if (kind === COMM || kind === EXE) {
      const n = valueEnd - v;
      let text: string | null | undefined;
      if (n === 1 && bytes[v] === 63 /* ? */) text = undefined;
      else if (n === 6 && asciiText(bytes, v, valueEnd) === '(null)') text = kind === EXE ? null : undefined;
      else text = decoded.decoded(bytes, v, valueEnd, decode);
      if (kind === COMM) comm = text ?? undefined;
      else exe = text;
    } else if (kind === ARCH) {
      // Lower-case hex stays as written (record-body.ts lower-cases and pads to the same text).
      for (let j = v; j < valueEnd; j++) {
        const c = bytes[j];
        if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return undefined;
      }
      arch = texts.text(bytes, v, valueEnd);
    } else code = texts.text(bytes, v, valueEnd);
  }
  bodyScan.end = i;
  // The members in newSeccompFields' order: the same hidden class as the string parser's.
  return {
    auid,
    uid,
    gid,
    ses,
    subj,
    pid,
    comm,
    exe,
    sig,
    arch,
    syscall,
    compat,
    ip,
    code,
    reason: undefined,
  };
}
