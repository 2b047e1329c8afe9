/**
 * Every error code the API answers with, and its HTTP status: the one place where domain errors
 * meet HTTP. Add a code here (additively) before throwing it; the type keeps the map exhaustive.
 */
export const ERROR_STATUS = {
  validation_failed: 400,
  invalid_json: 400,
  invalid_body: 400,
  invalid_gzip: 400,
  invalid_cursor: 400,
  invalid_query: 400,
  missing_host: 400,
  selector_matches_nothing: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  precondition_required: 428,
  payload_too_large: 413,
  too_many_events: 413,
  unsupported_media_type: 415,
  unsupported_encoding: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
  ingest_unavailable: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_STATUS, code);
}
