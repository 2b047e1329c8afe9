export { AUDIT_ERROR_CODES, AuditParseError, type AuditErrorCode } from './audit-error.js';
export { parseAuditLine } from './line/parse-audit-line.js';
export { DEFAULT_MAX_LINE_BYTES, type ParsedAuditLine } from './line/parsed-audit-line.js';
export { SIBLING_RECORD_NAMES } from './record/audit-record.js';
export type {
  AuditLineShape,
  AuditRecord,
  AuditSource,
  SeccompFields,
  SiblingFields,
} from './record/audit-record.js';
export { parseAuditBytes, pushAuditBytesTo } from './stream/audit-bytes.js';
export { forEachWindowLine, type WindowLineEach } from './stream/window-lines.js';
export {
  AuditStreamParser,
  auditOutputSink,
  parseAuditText,
  readText,
  type AuditSink,
  type AuditOutput,
  type AuditParserOptions,
  type AuditParserState,
  type AuditParserStats,
} from './stream/audit-stream-parser.js';
export {
  newSeccompEventParts,
  seccompEventParts,
  type EventDefaults,
  type SeccompEventParts,
} from './stream/seccomp-event.js';
export { seccompEventJsonMaxBytes, writeSeccompEventJson } from './stream/seccomp-event-json.js';
export { seccompPartsJsonMaxBytes, writeSeccompPartsJson } from './stream/seccomp-parts-json.js';
