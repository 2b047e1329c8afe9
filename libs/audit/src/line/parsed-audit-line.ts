import type { AuditErrorCode } from '../audit-error.js';
import type { AuditLineShape, AuditRecord } from '../record/audit-record.js';

/** What one line is: a record worth keeping, a lost-record count, something to skip, or an error. */
export type ParsedAuditLine =
  | { kind: 'record'; record: AuditRecord }
  | { kind: 'lost'; shape: AuditLineShape; count: number; host?: string }
  | { kind: 'skip'; reason: string }
  | { kind: 'error'; code: AuditErrorCode; reason: string };

export const DEFAULT_MAX_LINE_BYTES = 65536;
