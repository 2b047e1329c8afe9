import { isWantedType } from '../record/audit-record.js';
import { bodyScan, parseSeccompBodyBytes } from '../record/byte-body.js';
import { asciiText, ByteInterner } from '../record/byte-text.js';
import type { ParsedAuditLine } from './parsed-audit-line.js';
import { newAuditRecord } from './record-header.js';

/**
 * parseJournaldLine (journald-line.ts) over bytes, for `_TRANSPORT=audit` SECCOMP entries as
 * journalctl writes them: one flat object of ASCII strings without control characters, escapes
 * `\"`, `\\` and `\/` only, the numbers plain digits. Anything else (other escapes, numbers,
 * byte arrays, spaces, `_TRANSPORT=kernel`, a missing or odd field) gives undefined: the line
 * goes to the string parser.
 */

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
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

// Value bounds of each field of the line being read (start -1: absent); escaped ones flagged.
const starts = new Int32Array(NAMES.length);
const ends = new Int32Array(NAMES.length);
const escaped = new Uint8Array(NAMES.length);
// MESSAGE with its escapes undone.
let message = new Uint8Array(1024);
const names = new ByteInterner(256);
const stamp = { sec: 0, msec: 0, serial: 0 };

function nameIndex(bytes: Uint8Array, start: number, end: number): number {
  const n = end - start;
  for (let k = 0; k < NAMES.length; k++) {
    const name = NAMES[k];
    if (name.length !== n) continue;
    let j = 0;
    while (j < n && bytes[start + j] === name[j]) j++;
    if (j === n) return k;
  }
  return -1;
}

/** Reads the object's string members into starts/ends/escaped; false when it is not that simple. */
function scanMembers(bytes: Uint8Array, start: number, end: number): boolean {
  starts.fill(-1);
  let i = start + 1;
  for (;;) {
    if (i >= end || bytes[i] !== 34 /* " */) return false;
    const keyStart = i + 1;
    let keyEnd = keyStart;
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
    const valueStart = keyEnd + 3;
    let valueEnd = valueStart;
    let backslash = false;
    for (; valueEnd < end; valueEnd++) {
      const c = bytes[valueEnd];
      if (c === 34) break;
      if (c < 0x20 || c >= 0x80) return false;
      if (c === 92) {
        const next = bytes[valueEnd + 1];
        if (valueEnd + 1 >= end || (next !== 34 && next !== 92 && next !== 47) /* / */) return false;
        backslash = true;
        valueEnd++;
      }
    }
    if (valueEnd >= end) return false;
    const k = nameIndex(bytes, keyStart, keyEnd);
    if (k >= 0) {
      // Duplicate keys: the last wins, as in JSON.parse.
      starts[k] = valueStart;
      ends[k] = valueEnd;
      escaped[k] = backslash ? 1 : 0;
    }
    const next = valueEnd + 1;
    if (next < end && bytes[next] === 44 /* , */) i = next + 1;
    else return next + 1 === end && bytes[next] === 125; /* } */
  }
}

/** Plain digits of a field, 1 to `most` of them, as a number below 2^53; -1 when not that. */
function digitsOf(bytes: Uint8Array, k: number, most: number): number {
  const start = starts[k];
  const end = ends[k];
  if (start < 0 || escaped[k] === 1 || end === start || end - start > most) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const d = bytes[i] - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  // Below 2^53 every step was exact, as Number(text) is.
  return value <= Number.MAX_SAFE_INTEGER ? value : -1;
}

function isField(bytes: Uint8Array, k: number, expected: Uint8Array): boolean {
  const start = starts[k];
  if (start < 0 || ends[k] - start !== expected.length) return false;
  for (let j = 0; j < expected.length; j++) if (bytes[start + j] !== expected[j]) return false;
  return true;
}

/** A field's text (undefined when absent), or null when escaped. */
function textOf(bytes: Uint8Array, k: number): string | undefined | null {
  if (starts[k] < 0) return undefined;
  return escaped[k] === 1 ? null : names.text(bytes, starts[k], ends[k]);
}

/** MESSAGE with its escapes undone, into `message`; returns its length. */
function unescapeMessage(bytes: Uint8Array): number {
  const start = starts[MESSAGE];
  const end = ends[MESSAGE];
  if (message.length < end - start) message = new Uint8Array(2 * (end - start));
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = bytes[i];
    message[n++] = c === 92 ? bytes[++i] : c;
  }
  return n;
}

/** The journald entry in bytes[start, end) (starting with `{`), or undefined. */
export function parseJournaldBytes(
  bytes: Uint8Array,
  start: number,
  end: number,
): ParsedAuditLine | undefined {
  if (!scanMembers(bytes, start, end)) return undefined;
  if (!isField(bytes, TRANSPORT, AUDIT)) {
    if (starts[TRANSPORT] < 0 || escaped[TRANSPORT] === 1 || isField(bytes, TRANSPORT, KERNEL))
      return undefined;
    const transport = asciiText(bytes, starts[TRANSPORT], ends[TRANSPORT]);
    return { kind: 'skip', reason: `journald transport ${transport}` };
  }
  const type = digitsOf(bytes, AUDIT_TYPE, 6);
  if (type < 0) return undefined;
  if (type !== 1326) return isWantedType(type) ? undefined : { kind: 'skip', reason: `audit type ${type}` };
  const serial = digitsOf(bytes, AUDIT_ID, 15);
  const usec = digitsOf(bytes, SOURCE_TIME, 16);
  const host = textOf(bytes, HOSTNAME);
  const bootId = textOf(bytes, BOOT_ID);
  if (serial < 0 || usec < 0 || host === null || bootId === null || starts[MESSAGE] < 0) return undefined;
  let text = bytes;
  let textStart = starts[MESSAGE];
  let textEnd = ends[MESSAGE];
  if (escaped[MESSAGE] === 1) {
    text = message;
    textStart = 0;
    textEnd = unescapeMessage(bytes);
  }
  // MESSAGE is `SECCOMP auid=...`: the type name, then the body.
  let bodyStart = textStart;
  while (bodyStart < textEnd && text[bodyStart] !== 32) bodyStart++;
  if (bodyStart < textEnd) bodyStart++;
  const fields = parseSeccompBodyBytes(text, bodyStart, textEnd);
  if (fields === undefined || bodyScan.end !== textEnd) return undefined;
  stamp.sec = Math.floor(usec / 1_000_000);
  stamp.msec = Math.floor((usec % 1_000_000) / 1000);
  stamp.serial = serial;
  const record = newAuditRecord('journald', 'journald', host, bootId, 1326, 'SECCOMP', stamp);
  record.seccomp = fields;
  return { kind: 'record', record };
}
