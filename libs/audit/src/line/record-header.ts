import { AuditParseError } from '../audit-error.js';
import type { AuditLineShape, AuditRecord, AuditSource } from '../record/audit-record.js';
import { parseSeccompBody, parseSiblingBody } from '../record/record-body.js';

/** `audit(SEC.MSEC:SERIAL):` starting at `at` (just after `audit(`); returns the body start. */
export function parseStamp(
  text: string,
  at: number,
  into: { sec: number; msec: number; serial: number },
): number {
  let i = at;
  let sec = 0;
  let digits = 0;
  for (let c = text.charCodeAt(i) - 48; c >= 0 && c <= 9; c = text.charCodeAt(++i) - 48) {
    sec = sec * 10 + c;
    digits++;
  }
  // Ten digits reach the year 2286; more cannot be a real clock (and breaks Date).
  if (digits === 0 || digits > 10 || text.charCodeAt(i) !== 46 /* . */)
    throw new AuditParseError('malformed_timestamp', 'audit(...) stamp has no SEC. of at most ten digits');
  i++;
  let msec = 0;
  digits = 0;
  for (let c = text.charCodeAt(i) - 48; c >= 0 && c <= 9; c = text.charCodeAt(++i) - 48) {
    msec = msec * 10 + c;
    digits++;
  }
  if (digits !== 3 || text.charCodeAt(i) !== 58 /* : */)
    throw new AuditParseError('malformed_timestamp', 'audit(...) stamp has no .MSEC: of three digits');
  i++;
  let serial = 0;
  digits = 0;
  for (let c = text.charCodeAt(i) - 48; c >= 0 && c <= 9; c = text.charCodeAt(++i) - 48) {
    serial = serial * 10 + c;
    digits++;
  }
  if (digits === 0 || digits > 15 || text.charCodeAt(i) !== 41 /* ) */)
    throw new AuditParseError('malformed_timestamp', 'audit(...) stamp has no :SERIAL)');
  i++;
  if (text.charCodeAt(i) === 58 /* : */) i++;
  into.sec = sec;
  into.msec = msec;
  into.serial = serial;
  return i;
}

export interface RecordContext {
  shape: AuditLineShape;
  source: AuditSource;
  host?: string;
  bootId?: string;
}

/** A record without its fields (seccomp and sibling undefined). */
export function newAuditRecord(
  shape: AuditLineShape,
  source: AuditSource,
  host: string | undefined,
  bootId: string | undefined,
  type: number,
  typeName: string,
  stamp: { sec: number; msec: number; serial: number },
): AuditRecord {
  // One literal with every field keeps a single hidden class for all records.
  return {
    shape,
    source,
    type,
    typeName,
    sec: stamp.sec,
    msec: stamp.msec,
    serial: stamp.serial,
    host,
    bootId,
    seccomp: undefined,
    sibling: undefined,
  };
}

/**
 * Builds the record of a wanted type from its body text[start, end). Returns undefined for a
 * type we skip (an ANOM_ABEND that is not seccomp's).
 */
export function buildRecord(
  ctx: RecordContext,
  type: number,
  typeName: string,
  stamp: { sec: number; msec: number; serial: number },
  text: string,
  start: number,
  end: number,
): AuditRecord | undefined {
  const record = newAuditRecord(ctx.shape, ctx.source, ctx.host, ctx.bootId, type, typeName, stamp);
  if (typeName === 'SECCOMP') {
    record.seccomp = parseSeccompBody(text, start, end);
  } else if (typeName === 'ANOM_ABEND') {
    // Before Linux 3.x grew the SECCOMP type, seccomp kills were logged as ANOM_ABEND reason="seccomp".
    const reason = text.indexOf('reason="seccomp"', start);
    if (reason < 0 || reason >= end) return undefined;
    record.seccomp = parseSeccompBody(text, start, end);
  } else {
    record.sibling = parseSiblingBody(typeName, text, start, end);
  }
  return record;
}
