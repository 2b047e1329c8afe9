import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorBodyDto } from './error-body.dto.js';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (validation errors name fields by JSON pointer)',
  401: 'No valid bearer token',
  403: 'The token lacks the role (or is an agent token of another host)',
  404: 'Not found',
  409: 'Conflict',
  412: 'Precondition failed (If-Match)',
  413: 'Body too large',
  415: 'Unsupported content type or encoding',
  428: 'If-Match is required',
  503: 'Unavailable (database down): retry after the Retry-After header',
};

const RETRY_AFTER = { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait' } };

/** Documents the error answers of a route, all in the `{error: {code, message, details}}` shape. */
export function ApiErrorResponses(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? 'Error',
        type: ErrorBodyDto,
        ...(status === 503 ? { headers: RETRY_AFTER } : {}),
      }),
    ),
  );
}
