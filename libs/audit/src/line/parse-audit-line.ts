import { AuditParseError } from '../audit-error.js';
import { parseAuditdLine } from './auditd-line.js';
import { parseJournaldLine } from './journald-line.js';
import { looksLikeKernelLog, parseKernelLine } from './kernel-line.js';
import { DEFAULT_MAX_LINE_BYTES, type ParsedAuditLine } from './parsed-audit-line.js';

function tooLong(line: string, maxLineBytes: number): boolean {
  // UTF-16 length bounds the UTF-8 size from below and a third of it from above: count only when unsure.
  if (line.length > maxLineBytes) return true;
  if (line.length * 3 <= maxLineBytes) return false;
  return Buffer.byteLength(line, 'utf8') > maxLineBytes;
}

/**
 * Parses one line of any shape (auditd, enriched auditd, kmsg/dmesg/syslog, journald JSON),
 * detected from the line itself. Never throws: garbage gives `{kind: 'error'}` with a reason.
 */
export function parseAuditLine(
  line: string,
  options: { maxLineBytes?: number; bootId?: string } = {},
): ParsedAuditLine {
  return parseLine(line, options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, options.bootId);
}

/** parseAuditLine without an options object per line (the stream parser's hot path). */
export function parseLine(line: string, maxLineBytes: number, bootId: string | undefined): ParsedAuditLine {
  if (tooLong(line, maxLineBytes)) {
    return { kind: 'error', code: 'line_too_long', reason: `line longer than ${maxLineBytes} bytes` };
  }
  try {
    const c = line.charCodeAt(0);
    if (c === 116 /* t */ || c === 110 /* n */) {
      if (line.startsWith('type=') || line.startsWith('node=')) return parseAuditdLine(line, bootId);
    } else if (c === 123 /* { */) {
      return parseJournaldLine(line);
    }
    const kernel = parseKernelLine(line, bootId);
    if (kernel !== undefined) return kernel;
    if (line.trim().length === 0) return { kind: 'skip', reason: 'empty line' };
    if (looksLikeKernelLog(line)) return { kind: 'skip', reason: 'kernel message, not audit' };
    return {
      kind: 'error',
      code: 'unrecognised_shape',
      reason: 'not an audit.log, kernel log or journald JSON line',
    };
  } catch (error) {
    if (error instanceof AuditParseError) return { kind: 'error', code: error.code, reason: error.message };
    // A bug in the parser must not stop the stream either; keep the reason for the report.
    return { kind: 'error', code: 'malformed_record', reason: `unparseable: ${(error as Error).message}` };
  }
}
