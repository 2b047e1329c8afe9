import { auditTypeName, isWantedType, isWantedTypeName } from '../record/audit-record.js';
import { bodyScan, parseSeccompBodyBytes, seccompLineBytes, windowLine } from '../record/byte-body.js';
import { asciiBytes as ascii, asciiText, ByteInterner } from '../record/byte-text.js';
import { parseJournaldBytes } from './byte-journald.js';
import type { ParsedAuditLine } from './parsed-audit-line.js';
import { newAuditRecord } from './record-header.js';

/**
 * parseLine (parse-audit-line.ts) for a line given as bytes, for the lines the kernel and
 * auditd write every day: SECCOMP records in every shape, and record types to skip. It gives
 * undefined for everything else (sibling records, lost counts, errors, bytes past ASCII,
 * anything unusual), and the caller then decodes the line and asks parseLine: what it does
 * give equals parseLine's answer for the decoded line (parse-line-bytes.fuzz.spec.ts).
 */

const NODE = ascii('node=');
const TYPE = ascii('type=');
const SECCOMP = ascii('SECCOMP ');
const MSG = ascii(' msg=audit(');
const UNKNOWN = ascii('UNKNOWN[');
const AUDIT_MARK = ascii('audit: type=');
const KERNEL = ascii(' kernel: ');
const AUDIT_OPEN = ascii(' audit(');

const hosts = new ByteInterner(256);

/**
 * The text of the line parseLineBytes last gave a record for (the event's `raw`): made once
 * the line is a SECCOMP record, so the body's values can be cut from it.
 */
export const byteLine = { text: '' };
const stamp = { sec: 0, msec: 0, serial: 0 };

/** bytes[at ...] starts with `expected`, within `end`. */
function bytesAt(bytes: Uint8Array, at: number, end: number, expected: Uint8Array): boolean {
  if (at + expected.length > end) return false;
  for (let k = 0; k < expected.length; k++) if (bytes[at + k] !== expected[k]) return false;
  return true;
}

/** True when every byte of bytes[start, end) is ASCII. */
function allAscii(bytes: Uint8Array, start: number, end: number): boolean {
  let high = 0;
  for (let i = start; i < end; i++) high |= bytes[i];
  return high < 0x80;
}

/** Unsigned decimal in bytes[at, ...) of 1 to `most` digits, ending before `end`; -1 when not. */
function digitsAt(bytes: Uint8Array, at: number, end: number, most: number): number {
  let i = at;
  let value = 0;
  for (; i < end && i - at < most; i++) {
    const d = bytes[i] - 48;
    if (d < 0 || d > 9) break;
    value = value * 10 + d;
  }
  digitsEnd = i;
  return i === at ? -1 : value;
}
let digitsEnd = 0;

/** parseStamp (record-header.ts) over bytes: the body start, or -1 where parseStamp throws. */
function parseStampBytes(bytes: Uint8Array, at: number, end: number): number {
  // Up to one digit more than allowed, so that too many digits is told from enough.
  const sec = digitsAt(bytes, at, end, 11);
  if (sec < 0 || digitsEnd - at > 10 || digitsEnd >= end || bytes[digitsEnd] !== 46 /* . */) return -1;
  let i = digitsEnd + 1;
  const msec = digitsAt(bytes, i, end, 4);
  if (msec < 0 || digitsEnd - i !== 3 || digitsEnd >= end || bytes[digitsEnd] !== 58 /* : */) return -1;
  i = digitsEnd + 1;
  const serial = digitsAt(bytes, i, end, 16);
  if (serial < 0 || digitsEnd - i > 15 || digitsEnd >= end || bytes[digitsEnd] !== 41 /* ) */) return -1;
  i = digitsEnd + 1;
  if (i < end && bytes[i] === 58 /* : */) i++;
  stamp.sec = sec;
  stamp.msec = msec;
  stamp.serial = serial;
  return i;
}

/** A skip for the rest of an ASCII line, else undefined (parseLine's byte count may differ). */
function skip(
  bytes: Uint8Array,
  start: number,
  end: number,
  reason: () => string,
): ParsedAuditLine | undefined {
  return allAscii(bytes, start, end) ? { kind: 'skip', reason: reason() } : undefined;
}

/** parseAuditdLine (auditd-line.ts) over bytes. */
function auditdBytes(
  bytes: Uint8Array,
  start: number,
  end: number,
  bootId: string | undefined,
): ParsedAuditLine | undefined {
  let i = start;
  let host: string | undefined;
  if (bytesAt(bytes, start, end, NODE)) {
    let space = start + 5;
    while (space < end && bytes[space] !== 32 && bytes[space] < 0x80) space++;
    if (space >= end || bytes[space] !== 32) return undefined;
    host = hosts.text(bytes, start + 5, space);
    i = space + 1;
  }
  if (!bytesAt(bytes, i, end, TYPE)) return undefined;
  i += 5;
  let space: number;
  if (bytesAt(bytes, i, end, SECCOMP)) space = i + 7;
  else {
    space = i;
    while (space < end && bytes[space] !== 32) space++;
    if (space >= end || bytesAt(bytes, i, end, UNKNOWN)) return undefined;
    const nameStart = i;
    const nameEnd = space;
    if (!allAscii(bytes, nameStart, nameEnd)) return undefined;
    const name = asciiText(bytes, nameStart, nameEnd);
    if (isWantedTypeName(name)) return undefined;
    return skip(bytes, start, end, () => `audit type ${name}`);
  }
  if (!bytesAt(bytes, space, end, MSG)) return undefined;
  const bodyStart = parseStampBytes(bytes, space + 11, end);
  if (bodyStart < 0) return undefined;
  // As if ASCII: unless every byte is, the line goes to parseLine and this text is dropped.
  const text = asciiText(bytes, start, end);
  const fields = parseSeccompBodyBytes(bytes, bodyStart, end, text, start);
  if (fields === undefined) return undefined;
  const separator = bodyScan.end;
  if (separator < end && !allAscii(bytes, separator + 1, end)) return undefined;
  const record = newAuditRecord(
    separator < end ? 'enriched' : 'auditd',
    'auditd',
    host,
    bootId,
    1326,
    'SECCOMP',
    stamp,
  );
  record.seccomp = fields;
  byteLine.text = text;
  return { kind: 'record', record };
}

/** First index of `mark` in bytes[start, end), or -1; `passed` gets the OR of the bytes passed over. */
function indexOfMark(bytes: Uint8Array, start: number, end: number, mark: Uint8Array): number {
  const first = mark[0];
  let high = 0;
  for (let i = start; i < end; i++) {
    const c = bytes[i];
    high |= c;
    if (c === first && bytesAt(bytes, i, end, mark)) {
      passed = high;
      return i;
    }
  }
  passed = high;
  return -1;
}
let passed = 0;

/** Shape and host of a kernel line's prefix bytes[start, mark) (prefixOf in kernel-line.ts); undefined when unsure. */
function kernelPrefix(
  bytes: Uint8Array,
  start: number,
  mark: number,
): 'kmsg' | 'dmesg' | 'syslog' | undefined {
  prefixHost = undefined;
  if (mark === start) return 'dmesg';
  const c = bytes[start];
  if (c >= 48 && c <= 57) {
    let semi = start;
    let comma = -1;
    for (; semi < mark && bytes[semi] !== 59 /* ; */; semi++)
      if (comma < 0 && bytes[semi] === 44) comma = semi;
    // A `;` with no `,` before it: parseLine looks for a `,` further on (rare: let it).
    if (semi < mark && comma < 0) return undefined;
    if (semi < mark) return 'kmsg';
  }
  let kernel = -1;
  for (let i = mark - KERNEL.length; i > start; i--) {
    if (bytes[i] === 32 && bytesAt(bytes, i, mark, KERNEL)) {
      kernel = i;
      break;
    }
  }
  if (kernel < 0) return 'dmesg';
  let hostStart = kernel - 1;
  while (hostStart >= start && bytes[hostStart] !== 32) hostStart--;
  hostStart++;
  if (hostStart < kernel) prefixHost = hosts.text(bytes, hostStart, kernel);
  return 'syslog';
}
let prefixHost: string | undefined;

/** parseKernelLine (kernel-line.ts) over bytes, for audit records (not lost counts). */
function kernelBytes(
  bytes: Uint8Array,
  start: number,
  end: number,
  bootId: string | undefined,
): ParsedAuditLine | undefined {
  const mark = indexOfMark(bytes, start, end, AUDIT_MARK);
  if (mark < 0 || passed >= 0x80) return undefined;
  const shape = kernelPrefix(bytes, start, mark);
  if (shape === undefined) return undefined;
  const host = prefixHost;
  const typeAt = mark + AUDIT_MARK.length;
  const type = digitsAt(bytes, typeAt, end, 6);
  if (type < 0) return undefined;
  if (type !== 1326) {
    if (isWantedType(type)) return undefined;
    return skip(bytes, start, end, () => `audit type ${type}`);
  }
  if (!bytesAt(bytes, digitsEnd, end, AUDIT_OPEN)) return undefined;
  const bodyStart = parseStampBytes(bytes, digitsEnd + AUDIT_OPEN.length, end);
  if (bodyStart < 0) return undefined;
  const text = asciiText(bytes, start, end);
  const fields = parseSeccompBodyBytes(bytes, bodyStart, end, text, start);
  // A 0x1D ends an auditd body only: here it would be part of a value.
  if (fields === undefined || bodyScan.end !== end) return undefined;
  const record = newAuditRecord(shape, 'kmsg', host, bootId, 1326, auditTypeName(1326), stamp);
  record.seccomp = fields;
  byteLine.text = text;
  return { kind: 'record', record };
}

/**
 * parseLine's answer for the line bytes[start, end) (without its newline), or undefined when
 * the line is one to decode and give to parseLine. SECCOMP records in the shapes the kernel and
 * auditd write are read whole by the WebAssembly module (seccompLineBytes); the rest, and
 * anything it does not take, by readLineBytes.
 */
export function parseLineBytes(
  bytes: Uint8Array,
  start: number,
  end: number,
  maxLineBytes: number,
  bootId: string | undefined,
): ParsedAuditLine | undefined {
  if (end - start > maxLineBytes || start >= end) return undefined;
  if (bytes[start] !== 123 /* { */) {
    const fields = seccompLineBytes(bytes, start, end);
    if (fields !== undefined) {
      const w = windowLine;
      const auditd = w.shape === 'auditd' || w.shape === 'enriched';
      const record = newAuditRecord(w.shape, auditd ? 'auditd' : 'kmsg', w.host, bootId, 1326, 'SECCOMP', w);
      record.seccomp = fields;
      byteLine.text = w.text;
      return { kind: 'record', record };
    }
  }
  return readLineBytes(bytes, start, end, bootId);
}

/** parseLineBytes of a line within its bounds, read in JS (the module's reference in specs). */
export function readLineBytes(
  bytes: Uint8Array,
  start: number,
  end: number,
  bootId: string | undefined,
): ParsedAuditLine | undefined {
  const c = bytes[start];
  if (c === 116 /* t */ || c === 110 /* n */) {
    if (bytesAt(bytes, start, end, TYPE) || bytesAt(bytes, start, end, NODE))
      return auditdBytes(bytes, start, end, bootId);
  } else if (c === 123 /* { */) {
    const parsed = parseJournaldBytes(bytes, start, end);
    if (parsed?.kind === 'record') byteLine.text = asciiText(bytes, start, end);
    return parsed;
  }
  return kernelBytes(bytes, start, end, bootId);
}
