import { AuditParseError } from '../audit-error.js';
import { auditTypeNumber, isWantedTypeName } from '../record/audit-record.js';
import type { ParsedAuditLine } from './parsed-audit-line.js';
import { buildRecord, parseStamp } from './record-header.js';

const stamp = { sec: 0, msec: 0, serial: 0 };
const ENRICHED_SEPARATOR = '\x1d';

const codes = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));
const NODE = codes('node=');
const TYPE = codes('type=');
const SECCOMP = codes('SECCOMP ');
const MSG = codes(' msg=audit(');

/** line.startsWith(text, i) for the text of `expected` (a call cheaper than startsWith's). */
function startsAt(line: string, i: number, expected: number[]): boolean {
  if (i + expected.length > line.length) return false;
  for (let k = 0; k < expected.length; k++) if (line.charCodeAt(i + k) !== expected[k]) return false;
  return true;
}

/** `[node=NAME ]type=NAME msg=audit(SEC.MSEC:SERIAL): body[0x1D interpreted fields]` from audit.log. */
export function parseAuditdLine(line: string, bootId?: string): ParsedAuditLine {
  let i = 0;
  let host: string | undefined;
  if (startsAt(line, 0, NODE)) {
    const space = line.indexOf(' ', 5);
    if (space < 0) throw new AuditParseError('malformed_record', 'node= without a record');
    host = line.slice(5, space);
    i = space + 1;
  }
  if (!startsAt(line, i, TYPE)) throw new AuditParseError('malformed_record', 'no type= after node=');
  i += 5;
  let space: number;
  let typeName: string;
  let type: number;
  if (startsAt(line, i, SECCOMP)) {
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
  if (!startsAt(line, space, MSG)) throw new AuditParseError('malformed_timestamp', 'no msg=audit(...)');
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
