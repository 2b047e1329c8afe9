/** Why a line produced no event. Stable strings: the API and the CLI report them. */
export const AUDIT_ERROR_CODES = [
  'line_too_long',
  'unrecognised_shape',
  'malformed_record',
  'malformed_timestamp',
  'malformed_json',
  'missing_field',
  'no_host',
] as const;
export type AuditErrorCode = (typeof AUDIT_ERROR_CODES)[number];

/** Thrown inside the parser only; parseAuditLine turns it into an error result, never past it. */
export class AuditParseError extends Error {
  constructor(
    readonly code: AuditErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AuditParseError';
  }
}
