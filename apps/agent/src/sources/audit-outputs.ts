import type { AuditOutput, AuditStreamParser } from '@sandtrap/audit';
import type { SecurityEvent } from '@sandtrap/events';

export interface AuditLinesResult {
  events: SecurityEvent[];
  lost: number;
  errors: number;
  firstError?: string;
}

/**
 * Feeds lines to the parser and flushes it, so nothing the caller checkpoints past is still held
 * (auditd writes an event's records together, so siblings arrive in the same read).
 */
export function parseAuditLines(parser: AuditStreamParser, lines: readonly string[]): AuditLinesResult {
  const result: AuditLinesResult = { events: [], lost: 0, errors: 0 };
  const collect = (outputs: AuditOutput[]) => {
    for (const output of outputs) {
      switch (output.type) {
        case 'event':
          result.events.push(output.event);
          break;
        case 'lost':
          result.lost += output.count;
          break;
        case 'error':
          result.errors++;
          result.firstError ??= `${output.code}: ${output.reason}`;
          break;
      }
    }
  };
  for (const line of lines) if (line !== '') collect(parser.push(line));
  collect(parser.flush());
  return result;
}
