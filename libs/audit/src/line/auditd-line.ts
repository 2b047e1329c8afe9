import { AuditParseError } from '../audit-error.js';
import { auditTypeNumber, isWantedTypeName } from '../record/audit-record.js';
import type { ParsedAuditLine } from './parsed-audit-line.js';
import { buildRecord, parseStamp } from './record-header.js';

const stamp = { sec: 0, msec: 0, serial: 0 };
const ENRICHED_SEPARATOR = '\x1d';

/** `[node=NAME ]type=NAME msg=audit(SEC.MSEC:SERIAL): body[0x1D interpreted fields]` from audit.log. */
export function parseAuditdLine(line: string, bootId?: string): ParsedAuditLine {
  let i = 0;
  let host: string | undefined;
  if (line.startsWith('node=')) {
    const space = line.indexOf(' ', 5);
    if (space < 0) throw new AuditParseError('malformed_record', 'node= without a record');
    host = line.slice(5, space);
    i = space + 1;
  }
  if (!line.startsWith('type=', i)) throw new AuditParseError('malformed_record', 'no type= after node=');
  i += 5;
  let space: number;
  let typeName: string;
  let type: number;
  if (line.startsWith('SECCOMP ', i)) {
    // The record this parser exists for: no slice, no lookups.
    space = i + 7;
    typeName = 'SECCOMP';
    type = 1326;
  } else {
    space = line.indexOf(' ', i);
    if (space < 0) throw new AuditParseError('malformed_record', 'type= without msg=');
    typeName = line.slice(i, space);
    type = auditTypeNumber(typeName);
    // auditd writes `UNKNOWN[1326]` for types newer than itself.
    if (typeName.startsWith('UNKNOWN[')) {
      type = Number(typeName.slice(8, -1));
      if (type === 1326) typeName = 'SECCOMP';
      else if (type === 1701) typeName = 'ANOM_ABEND';
    }
    if (!isWantedTypeName(typeName)) return { kind: 'skip', reason: `audit type ${typeName}` };
  }
  if (!line.startsWith(' msg=audit(', space))
    throw new AuditParseError('malformed_timestamp', 'no msg=audit(...)');
  const bodyStart = parseStamp(line, space + 11, stamp);
  const separator = line.indexOf(ENRICHED_SEPARATOR, bodyStart);
  const end = separator < 0 ? line.length : separator;
  const record = buildRecord(
    { shape: separator < 0 ? 'auditd' : 'enriched', source: 'auditd', host, bootId },
    type,
    typeName,
    stamp,
    line,
    bodyStart,
    end,
  );
  return record === undefined
    ? { kind: 'skip', reason: 'ANOM_ABEND not from seccomp' }
    : { kind: 'record', record };
}
