import type { SeccompFields } from './audit-record.js';
import { untrustedString } from './audit-value.js';
import { asciiText, ByteInterner } from './byte-text.js';
import { NUMERIC_KEY, SECCOMP_KEYS, newSeccompFields, setNumber } from './record-body.js';

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

const KEY_BYTES = SECCOMP_KEYS.map((k) => Uint8Array.from(k, (c) => c.charCodeAt(0)));
const SUBJ = SECCOMP_KEYS.indexOf('subj');
const COMM = SECCOMP_KEYS.indexOf('comm');
const EXE = SECCOMP_KEYS.indexOf('exe');
const ARCH = SECCOMP_KEYS.indexOf('arch');
const IP = SECCOMP_KEYS.indexOf('ip');
const CODE = SECCOMP_KEYS.indexOf('code');

// Values that repeat from record to record, by their bytes: quoted comm, exe and subj, arch and
// code as written; unquoted (hex) comm and exe decoded.
const texts = new ByteInterner(4096);
const decoded = new ByteInterner(1024);
const decode = (hex: string): string => untrustedString(hex, false) as string;

/** Where parseSeccompBodyBytes stopped: the line's end or its 0x1D separator. */
export const bodyScan = { end: 0 };

/** Index of the key at bytes[i] (key and `=`), from `expected` on; -1 when none. */
function keyAt(bytes: Uint8Array, i: number, end: number, expected: number): number {
  const c = bytes[i];
  for (let k = expected; k < KEY_BYTES.length; k++) {
    const key = KEY_BYTES[k];
    const n = key.length;
    if (key[0] !== c || i + n >= end || bytes[i + n] !== EQUALS) continue;
    let j = 1;
    while (j < n && bytes[i + j] === key[j]) j++;
    if (j === n) return k;
  }
  return -1;
}

/**
 * The fields of a SECCOMP body in bytes[start, end), or undefined (see above). bodyScan.end is
 * set to the first 0x1D at or after start, or `end`.
 */
export function parseSeccompBodyBytes(
  bytes: Uint8Array,
  start: number,
  end: number,
): SeccompFields | undefined {
  const f = newSeccompFields();
  let i = start;
  let expected = 0;
  for (;;) {
    while (i < end && bytes[i] === SPACE) i++;
    if (i >= end || bytes[i] === GS) break;
    const key = keyAt(bytes, i, end, expected);
    // `reason` belongs to the ANOM_ABEND form, which the string parser reads.
    if (key < 0 || SECCOMP_KEYS[key] === 'reason') return undefined;
    expected = key + 1;
    let v = i + KEY_BYTES[key].length + 1;
    if (NUMERIC_KEY[key]) {
      let j = v;
      if (j < end && bytes[j] === 45 /* - */) j++;
      const digits = j;
      let value = 0;
      for (; j < end; j++) {
        const d = bytes[j] - 48;
        if (d < 0 || d > 9) break;
        value = value * 10 + d;
      }
      if (j === digits || j - digits > 16 || (j < end && bytes[j] !== SPACE && bytes[j] !== GS))
        return undefined;
      setNumber(f, key, digits !== v ? -value : value);
      i = j;
      continue;
    }
    let valueEnd = v;
    let high = 0;
    if (v < end && bytes[v] === QUOTE) {
      // Quoted: comm and exe only (the kernel quotes nothing else here).
      if (key !== COMM && key !== EXE) return undefined;
      v++;
      for (valueEnd = v; valueEnd < end; valueEnd++) {
        const c = bytes[valueEnd];
        if (c === QUOTE || c === GS) break;
        high |= c;
      }
      if (valueEnd >= end || bytes[valueEnd] !== QUOTE || high >= 0x80) return undefined;
      if (key === COMM) f.comm = texts.text(bytes, v, valueEnd);
      else f.exe = texts.text(bytes, v, valueEnd);
      i = valueEnd + 1;
      continue;
    }
    if (key === SUBJ) {
      // AppArmor's subj has spaces: it runs to the next ` pid=` (record-body.ts).
      for (; valueEnd + 4 < end; valueEnd++) {
        const c = bytes[valueEnd];
        if (c === GS) return undefined;
        high |= c;
        if (
          c === SPACE &&
          bytes[valueEnd + 1] === 112 /* p */ &&
          bytes[valueEnd + 2] === 105 /* i */ &&
          bytes[valueEnd + 3] === 100 /* d */ &&
          bytes[valueEnd + 4] === EQUALS
        )
          break;
      }
      if (valueEnd + 4 >= end || high >= 0x80) return undefined;
      f.subj = texts.text(bytes, v, valueEnd);
      i = valueEnd;
      continue;
    }
    for (; valueEnd < end; valueEnd++) {
      const c = bytes[valueEnd];
      if (c === SPACE || c === GS) break;
      high |= c;
    }
    if (high >= 0x80) return undefined;
    i = valueEnd;
    if (key === COMM || key === EXE) {
      const n = valueEnd - v;
      let text: string | null | undefined;
      if (n === 1 && bytes[v] === 63 /* ? */) text = undefined;
      else if (n === 6 && asciiText(bytes, v, valueEnd) === '(null)') text = key === EXE ? null : undefined;
      else text = decoded.decoded(bytes, v, valueEnd, decode);
      if (key === COMM) f.comm = text ?? undefined;
      else f.exe = text;
    } else if (key === ARCH) {
      // Lower-case hex stays as written (record-body.ts lower-cases and pads to the same text).
      for (let j = v; j < valueEnd; j++) {
        const c = bytes[j];
        if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return undefined;
      }
      f.arch = texts.text(bytes, v, valueEnd);
    } else if (key === IP) f.ip = asciiText(bytes, v, valueEnd);
    else if (key === CODE) f.code = texts.text(bytes, v, valueEnd);
    else return undefined;
  }
  bodyScan.end = i;
  return f;
}
