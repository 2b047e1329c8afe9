import { AuditParseError } from '../audit-error.js';
import { auditTypeName, isWantedType } from '../record/audit-record.js';
import { scanJournalFields } from './journald-fields.js';
import { parseKernelLine } from './kernel-line.js';
import type { ParsedAuditLine } from './parsed-audit-line.js';
import { buildRecord } from './record-header.js';

type JournalEntry = Record<string, unknown>;

/** journald writes non-UTF-8 fields as arrays of bytes. */
function field(entry: JournalEntry, name: string): string | undefined {
  const value = entry[name];
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((b) => typeof b === 'number')) {
    return Buffer.from(value as number[]).toString('utf8');
  }
  return undefined;
}

function usecStamp(usec: string | undefined): { sec: number; msec: number } | undefined {
  // At most 16 digits (year 2286), like the ten-digit seconds of an audit stamp.
  if (usec === undefined || !/^\d{1,16}$/.test(usec)) return undefined;
  const n = Number(usec);
  return { sec: Math.floor(n / 1_000_000), msec: Math.floor((n % 1_000_000) / 1000) };
}

function parseJournalEntry(line: string): JournalEntry {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch (error) {
    throw new AuditParseError('malformed_json', `not JSON: ${(error as Error).message}`);
  }
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw new AuditParseError('malformed_json', 'journald entry is not an object');
  }
  return entry as JournalEntry;
}

/** One `journalctl -o json` entry: `_TRANSPORT=audit` (fields split out) or `_TRANSPORT=kernel` (the kmsg text). */
export function parseJournaldLine(line: string): ParsedAuditLine {
  const e = (scanJournalFields(line) as JournalEntry | undefined) ?? parseJournalEntry(line);
  const transport = field(e, '_TRANSPORT');
  const host = field(e, '_HOSTNAME');
  const bootId = field(e, '_BOOT_ID');
  const message = field(e, 'MESSAGE');
  if (transport === 'kernel') {
    if (message === undefined) throw new AuditParseError('missing_field', 'kernel entry without MESSAGE');
    return (
      parseKernelLine(message, bootId, host, 'journald') ?? {
        kind: 'skip',
        reason: 'kernel message, not audit',
      }
    );
  }
  if (transport === undefined) {
    throw new AuditParseError(
      'missing_field',
      'JSON without _TRANSPORT: not a journald entry (nor a known tool event)',
    );
  }
  if (transport !== 'audit') return { kind: 'skip', reason: `journald transport ${transport}` };
  const type = Number(field(e, '_AUDIT_TYPE'));
  if (!Number.isInteger(type)) throw new AuditParseError('missing_field', 'audit entry without _AUDIT_TYPE');
  if (!isWantedType(type)) return { kind: 'skip', reason: `audit type ${type}` };
  const serialText = field(e, '_AUDIT_ID');
  if (serialText === undefined || !/^\d{1,15}$/.test(serialText)) {
    throw new AuditParseError('missing_field', 'audit entry without a numeric _AUDIT_ID');
  }
  // The record's own time; __REALTIME_TIMESTAMP (receive time) only when journald lacks it.
  const time =
    usecStamp(field(e, '_SOURCE_REALTIME_TIMESTAMP')) ?? usecStamp(field(e, '__REALTIME_TIMESTAMP'));
  if (time === undefined) throw new AuditParseError('malformed_timestamp', 'audit entry without a timestamp');
  if (message === undefined) throw new AuditParseError('missing_field', 'audit entry without MESSAGE');
  // MESSAGE is `SECCOMP auid=...`: the type name, then the body.
  const space = message.indexOf(' ');
  const bodyStart = space < 0 ? message.length : space + 1;
  const record = buildRecord(
    { shape: 'journald', source: 'journald', host, bootId },
    type,
    auditTypeName(type),
    { sec: time.sec, msec: time.msec, serial: Number(serialText) },
    message,
    bodyStart,
    message.length,
  );
  return record === undefined
    ? { kind: 'skip', reason: 'ANOM_ABEND not from seccomp' }
    : { kind: 'record', record };
}
