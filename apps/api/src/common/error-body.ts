import { HttpException } from '@nestjs/common';
import { DomainError } from './domain-error.js';
import { ERROR_STATUS, isErrorCode, type ErrorCode } from './error-codes.js';

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export interface ErrorAnswer {
  status: number;
  body: ErrorBody;
  /** Answers the client could not cause are logged as errors with their stack. */
  unexpected: boolean;
  headers?: Record<string, string>;
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_body',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_TYPE: 'unsupported_media_type',
};

const HTTP_CODES: Record<number, ErrorCode> = {
  400: 'invalid_body',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  412: 'precondition_failed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  503: 'unavailable',
};

function answer(code: ErrorCode, message: string, details?: Record<string, unknown>): ErrorAnswer {
  const body: ErrorBody = { error: { code, message, ...(details ? { details } : {}) } };
  return { status: ERROR_STATUS[code], body, unexpected: false };
}

/**
 * Turns anything thrown while answering a request into the one error shape. Errors that carry a
 * known `code` (DomainError, or another feature's typed error) keep it; Fastify's body errors and
 * Nest's HTTP exceptions are translated; everything else is a 500 with the request id only.
 */
export function toErrorAnswer(error: unknown, requestId: string): ErrorAnswer {
  // Nest wraps Fastify's own errors (body parsing, limits) in an HttpException; the cause has the code.
  if (error instanceof HttpException && error.cause instanceof Error && 'code' in error.cause) {
    return toErrorAnswer(error.cause, requestId);
  }
  if (error instanceof DomainError) return answer(error.code, error.message, error.details);
  const e = error as { code?: unknown; message?: unknown; statusCode?: unknown; retryAfterSeconds?: unknown };
  if (error instanceof Error && isErrorCode(e.code)) {
    const a = answer(e.code, error.message);
    if (typeof e.retryAfterSeconds === 'number') a.headers = { 'retry-after': String(e.retryAfterSeconds) };
    return a;
  }
  if (error instanceof Error && typeof e.code === 'string' && FASTIFY_CODES[e.code]) {
    return answer(FASTIFY_CODES[e.code], fastifyMessage(e.code, error.message));
  }
  if (error instanceof SyntaxError && e.statusCode === 400) {
    return answer('invalid_json', `The body is not valid JSON: ${error.message}`);
  }
  if (error instanceof HttpException) {
    const code = HTTP_CODES[error.getStatus()];
    if (code) return answer(code, error.message);
  }
  if (error instanceof Error && typeof e.statusCode === 'number' && HTTP_CODES[e.statusCode]) {
    return answer(HTTP_CODES[e.statusCode], error.message);
  }
  if (isDatabaseUnavailable(error)) {
    const a = answer('unavailable', 'The database is not available; try again shortly');
    a.headers = { 'retry-after': '5' };
    return a;
  }
  return {
    status: 500,
    body: { error: { code: 'internal', message: 'An unexpected error occurred', details: { requestId } } },
    unexpected: true,
  };
}

function fastifyMessage(code: string, message: string): string {
  if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return `The body is not valid JSON: ${message}`;
  }
  return message;
}

/** SQLSTATE classes and socket errors that mean "the database is not there", not "the request is wrong". */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-3]|53300|3D000)$/;
const UNAVAILABLE_SOCKET = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);

function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_SOCKET.has(code)))
    return true;
  // pg-pool's own messages when it cannot hand out a connection.
  return /timeout exceeded when trying to connect|Connection terminated|Cannot use a pool after calling end/.test(
    error.message,
  );
}
