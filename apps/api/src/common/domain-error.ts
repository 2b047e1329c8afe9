import type { ErrorCode } from './error-codes.js';

/** A failure the client can act on; the global filter answers it as `{error: {code, message, details}}`. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, id: string) {
    super('not_found', `${what} "${id}" does not exist`, { type: what, id });
  }
}

export interface FieldProblem {
  /** JSON pointer (RFC 6901) to the offending field, "" for the whole body. */
  pointer: string;
  message: string;
}

export class ValidationFailedError extends DomainError {
  constructor(
    readonly errors: FieldProblem[],
    message = 'The request is not valid',
  ) {
    super('validation_failed', message, { errors });
  }
}

/** Escapes one JSON pointer segment. */
export function pointerSegment(key: string | number): string {
  return String(key).replaceAll('~', '~0').replaceAll('/', '~1');
}
