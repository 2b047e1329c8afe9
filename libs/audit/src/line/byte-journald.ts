import { isWantedType } from '../record/audit-record.js';
import {
  bodyScan,
  bodyValues,
  bodyWindow,
  journaldMembers,
  memberEnd,
  memberStart,
  parseSeccompBodyBytes,
  setJournaldNames,
} from '../record/byte-body.js';
import { asciiBytes as ascii, asciiText, ByteInterner, viewOf } from '../record/byte-text.js';
import type { ParsedAuditLine } from './parsed-audit-line.js';
import { newAuditRecord } from './record-header.js';

/**
 * parseJournaldLine (journald-line.ts) over bytes, for `_TRANSPORT=audit` SECCOMP entries as
 * journalctl writes them: one flat object of ASCII strings without control characters, escapes
 * `\"`, `\\` and `\/` only, the numbers plain digits. Anything else (other escapes, numbers,
 * byte arrays, spaces, `_TRANSPORT=kernel`, a missing or odd field) gives undefined: the line
 * goes to the string parser.
 */

// The fields read, in the order of the offsets below; every other key is passed over.
const NAMES = [
  '_TRANSPORT',
  '_HOSTNAME',
  '_BOOT_ID',
  'MESSAGE',
  '_AUDIT_TYPE',
  '_AUDIT_ID',
  '_SOURCE_REALTIME_TIMESTAMP',
].map(ascii);
const TRANSPORT = 0;
const HOSTNAME = 1;
const BOOT_ID = 2;
const MESSAGE = 3;
const AUDIT_TYPE = 4;
const AUDIT_ID = 5;
const SOURCE_TIME = 6;
const AUDIT = ascii('audit');
const KERNEL = ascii('kernel');

// The values of the line being read, escapes undone, one after the other in `values`; where
// each field's is (start -1: absent). In the body reader's memory (bodyValues), where it reads
// MESSAGE without a copy; a Buffer of its own for a line longer than that.
const starts = memberStart;
const ends = memberEnd;
const moduleValuesView = new DataView(bodyValues.buffer, bodyValues.byteOffset, bodyValues.byteLength);
let values = bodyValues;
let valuesView = moduleValuesView;
setJournaldNames(NAMES);
const names = new ByteInterner(256);
const stamp = { sec: 0, msec: 0, serial: 0 };

// The fields by the length of their names: the first of each length, and the next after each.
const FIRST_OF_LENGTH = new Int8Array(32).fill(-1);
const NEXT_OF_LENGTH = new Int8Array(NAMES.length).fill(-1);
for (let k = NAMES.length - 1; k >= 0; k--) {
  NEXT_OF_LENGTH[k] = FIRST_OF_LENGTH[NAMES[k].length];
  FIRST_OF_LENGTH[NAMES[k].length] = k;
}
// Each name as little-endian words: its whole words, then its last four bytes (every name has
// four at least).
const NAME_WORDS = NAMES.map((name) => {
  const view = new DataView(name.buffer, name.byteOffset, name.byteLength);
  const words: number[] = [];
  for (let i = 0; i + 4 <= name.length; i += 4) words.push(view.getInt32(i, true));
  words.push(view.getInt32(name.length - 4, true));
  return Int32Array.from(words);
});

/** The field named by bytes[start, end), or -1. */
function nameIndex(view: DataView, start: number, end: number): number {
  const n = end - start;
  for (let k = n < 32 ? FIRST_OF_LENGTH[n] : -1; k >= 0; k = NEXT_OF_LENGTH[k]) {
    const words = NAME_WORDS[k];
    const whole = words.length - 1;
    let w = 0;
    while (w < whole && view.getInt32(start + 4 * w, true) === words[w]) w++;
    if (w === whole && view.getInt32(end - 4, true) === words[whole]) return k;
  }
  return -1;
}

/**
 * True when none of the four bytes of a word is a quote, a backslash, a control character or
 * past ASCII: each test sets a byte's high bit for such a byte (the lowest such, at least).
 */
function plainWord(x: number): boolean {
  const quote = x ^ 0x22222222;
  const backslash = x ^ 0x5c5c5c5c;
  const special =
    ((x - 0x20202020) & ~x) | x | ((quote - 0x01010101) & ~quote) | ((backslash - 0x01010101) & ~backslash);
  return (special & 0x80808080) === 0;
}

/** Reads the object's string members into `values`; false when it is not that simple. */
function scanMembers(bytes: Uint8Array, start: number, end: number): boolean {
  for (let k = 0; k < NAMES.length; k++) starts[k] = -1;
  if (values.length < end - start) {
    values = Buffer.alloc(2 * (end - start));
    valuesView = new DataView(values.buffer, values.byteOffset, values.byteLength);
  }
  const view = viewOf(bytes);
  const out = values;
  const outView = valuesView;
  let n = 0;
  let i = start + 1;
  for (;;) {
    if (i >= end || bytes[i] !== 34 /* " */) return false;
    const keyStart = i + 1;
    let keyEnd = keyStart;
    while (keyEnd + 4 <= end && plainWord(view.getInt32(keyEnd, true))) keyEnd += 4;
    for (; keyEnd < end; keyEnd++) {
      const c = bytes[keyEnd];
      if (c === 34 || c === 92 /* \ */ || c < 0x20 || c >= 0x80) break;
    }
    if (
      keyEnd + 2 >= end ||
      bytes[keyEnd] !== 34 ||
      bytes[keyEnd + 1] !== 58 /* : */ ||
      bytes[keyEnd + 2] !== 34
    )
      return false;
    const valueStart = n;
    let at = keyEnd + 3;
    for (;;) {
      // Four plain bytes at a time, then the byte that is not.
      while (at + 4 <= end) {
        const x = view.getInt32(at, true);
        if (!plainWord(x)) break;
        outView.setInt32(n, x, true);
        n += 4;
        at += 4;
      }
      if (at >= end) return false;
      let c = bytes[at];
      if (c === 34) break;
      if (c < 0x20 || c >= 0x80) return false;
      if (c === 92) {
        c = bytes[++at];
        if (at >= end || (c !== 34 && c !== 92 && c !== 47) /* / */) return false;
      }
      out[n++] = c;
      at++;
    }
    const k = nameIndex(view, keyStart, keyEnd);
    if (k >= 0) {
      // Duplicate keys: the last wins, as in JSON.parse.
      starts[k] = valueStart;
      ends[k] = n;
    }
    const next = at + 1;
    if (next < end && bytes[next] === 44 /* , */) i = next + 1;
    else return next + 1 === end && bytes[next] === 125; /* } */
  }
}

/** Plain digits of a field, 1 to `most` of them, as a number below 2^53; -1 when not that. */
function digitsOf(k: number, most: number): number {
  const bytes = values;
  const start = starts[k];
  const end = ends[k];
  if (start < 0 || end === start || end - start > most) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const d = bytes[i] - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  // Below 2^53 every step was exact, as Number(text) is.
  return value <= Number.MAX_SAFE_INTEGER ? value : -1;
}

function isField(k: number, expected: Uint8Array): boolean {
  const bytes = values;
  const start = starts[k];
  if (start < 0 || ends[k] - start !== expected.length) return false;
  for (let j = 0; j < expected.length; j++) if (bytes[start + j] !== expected[j]) return false;
  return true;
}

/** A field's text, or undefined when absent. */
function textOf(k: number): string | undefined {
  return starts[k] < 0 ? undefined : names.text(values, starts[k], ends[k]);
}

/** The journald entry in bytes[start, end) (starting with `{`), or undefined. */
export function parseJournaldBytes(
  bytes: Uint8Array,
  start: number,
  end: number,
): ParsedAuditLine | undefined {
  // Lines in the window are read by the module, others (and very long ones) here.
  const inModule = bytes === bodyWindow ? journaldMembers(start, end) : undefined;
  if (inModule === undefined) {
    if (!scanMembers(bytes, start, end)) return undefined;
  } else {
    if (!inModule) return undefined;
    values = bodyValues;
    valuesView = moduleValuesView;
  }
  if (!isField(TRANSPORT, AUDIT)) {
    if (starts[TRANSPORT] < 0 || isField(TRANSPORT, KERNEL)) return undefined;
    const transport = asciiText(values, starts[TRANSPORT], ends[TRANSPORT]);
    return { kind: 'skip', reason: `journald transport ${transport}` };
  }
  const type = digitsOf(AUDIT_TYPE, 6);
  if (type < 0) return undefined;
  if (type !== 1326) return isWantedType(type) ? undefined : { kind: 'skip', reason: `audit type ${type}` };
  const serial = digitsOf(AUDIT_ID, 15);
  const usec = digitsOf(SOURCE_TIME, 16);
  if (serial < 0 || usec < 0 || starts[MESSAGE] < 0) return undefined;
  const text = values;
  const textEnd = ends[MESSAGE];
  // MESSAGE is `SECCOMP auid=...`: the type name, then the body.
  let bodyStart = starts[MESSAGE];
  while (bodyStart < textEnd && text[bodyStart] !== 32) bodyStart++;
  if (bodyStart < textEnd) bodyStart++;
  const fields = parseSeccompBodyBytes(text, bodyStart, textEnd);
  if (fields === undefined || bodyScan.end !== textEnd) return undefined;
  stamp.sec = Math.floor(usec / 1_000_000);
  stamp.msec = Math.floor((usec % 1_000_000) / 1000);
  stamp.serial = serial;
  const record = newAuditRecord(
    'journald',
    'journald',
    textOf(HOSTNAME),
    textOf(BOOT_ID),
    1326,
    'SECCOMP',
    stamp,
  );
  record.seccomp = fields;
  return { kind: 'record', record };
}
