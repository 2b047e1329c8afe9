import { AuditParseError } from '../audit-error.js';
import type { AuditLineShape } from '../record/audit-record.js';
import type { ParsedAuditLine } from './parsed-audit-line.js';
import { auditTypeName, isWantedType } from '../record/audit-record.js';
import { buildRecord, parseStamp } from './record-header.js';

const AUDIT_MARK = 'audit: type=';
const LOST_MARK = 'kauditd_printk_skb: ';

// What prefixOf returns without a host (no object a line for the common shapes).
const JOURNALD_PREFIX: { shape: AuditLineShape; host?: string } = { shape: 'journald' };
const KMSG_PREFIX: { shape: AuditLineShape; host?: string } = { shape: 'kmsg' };
const DMESG_PREFIX: { shape: AuditLineShape; host?: string } = { shape: 'dmesg' };
const SYSLOG_PREFIX: { shape: AuditLineShape; host?: string } = { shape: 'syslog' };

/** Shape and host of what precedes `audit: ` on a kernel log line. */
function prefixOf(line: string, end: number): { shape: AuditLineShape; host?: string } {
  if (end === 0) return DMESG_PREFIX;
  const c = line.charCodeAt(0);
  // /dev/kmsg: `PRI,SEQ,USEC,FLAGS[,caller=T1];`
  if (c >= 48 && c <= 57) {
    const semi = line.indexOf(';');
    if (semi >= 0 && semi < end && line.indexOf(',') < semi) return KMSG_PREFIX;
  }
  const kernel = line.lastIndexOf(' kernel: ', end);
  if (kernel > 0) {
    const hostStart = line.lastIndexOf(' ', kernel - 1) + 1;
    const host = line.slice(hostStart, kernel);
    return host.length > 0 ? { shape: 'syslog', host } : SYSLOG_PREFIX;
  }
  // dmesg `[  270.852]`, a `[   T55]` caller id, or a `<5>` priority.
  return DMESG_PREFIX;
}

/** True when the line looks like kernel log output of some kind (so a non-audit line is skipped, not an error). */
export function looksLikeKernelLog(line: string): boolean {
  const c = line.charCodeAt(0);
  if (c === 91 /* [ */ || c === 60 /* < */) return true;
  if (c >= 48 && c <= 57 && /^\d+,\d+,\d+,[^;]*;/.test(line)) return true;
  return line.indexOf(' kernel: ') > 0;
}

const stamp = { sec: 0, msec: 0, serial: 0 };

/**
 * A kernel ring buffer line (`/dev/kmsg`, dmesg, syslog, journald MESSAGE):
 * `[prefix]audit: type=1326 audit(SEC.MSEC:SERIAL): body`, or a lost-record count.
 * Returns undefined when the line is neither.
 */
export function parseKernelLine(
  line: string,
  bootId?: string,
  journaldHost?: string,
  source: 'kmsg' | 'journald' = 'kmsg',
): ParsedAuditLine | undefined {
  const mark = line.indexOf(AUDIT_MARK);
  if (mark < 0) {
    const lost = line.indexOf(LOST_MARK);
    if (lost < 0) return undefined;
    const prefix = prefixOf(line, lost);
    let i = lost + LOST_MARK.length;
    let count = 0;
    let digits = 0;
    for (let d = line.charCodeAt(i) - 48; d >= 0 && d <= 9 && digits < 12; d = line.charCodeAt(++i) - 48) {
      count = count * 10 + d;
      digits++;
    }
    if (digits === 0)
      return { kind: 'error', code: 'malformed_record', reason: 'kauditd_printk_skb without a count' };
    const host = journaldHost ?? prefix.host;
    return host === undefined
      ? { kind: 'lost', shape: prefix.shape, count }
      : { kind: 'lost', shape: prefix.shape, count, host };
  }
  const prefix = source === 'journald' ? JOURNALD_PREFIX : prefixOf(line, mark);
  let i = mark + AUDIT_MARK.length;
  let type = 0;
  let digits = 0;
  for (let d = line.charCodeAt(i) - 48; d >= 0 && d <= 9 && digits < 6; d = line.charCodeAt(++i) - 48) {
    type = type * 10 + d;
    digits++;
  }
  if (digits === 0) throw new AuditParseError('malformed_record', 'type= is not a number');
  if (!isWantedType(type)) return { kind: 'skip', reason: `audit type ${type}` };
  if (!line.startsWith(' audit(', i))
    throw new AuditParseError('malformed_timestamp', 'no audit(...) after type=');
  const bodyStart = parseStamp(line, i + 7, stamp);
  const host = journaldHost ?? prefix.host;
  const record = buildRecord(
    { shape: prefix.shape, source, host, bootId },
    type,
    type === 1326 ? 'SECCOMP' : auditTypeName(type),
    stamp,
    line,
    bodyStart,
    line.length,
  );
  return record === undefined
    ? { kind: 'skip', reason: 'ANOM_ABEND not from seccomp' }
    : { kind: 'record', record };
}
