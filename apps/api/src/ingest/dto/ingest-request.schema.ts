import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiExtraModels, ApiHeader, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { SecurityEventDto } from '../../openapi/security-event.dto.js';
import { ErrorBodyDto } from '../../openapi/error-body.dto.js';
import { INGEST_MAX_BYTES, INGEST_MAX_EVENTS } from '../ingest-body.js';
import { INGEST_CONTENT_TYPES } from '../ingest-body-parser.js';
import { IngestResultDto } from './ingest-result.dto.js';

/**
 * How the ingest routes read their bodies and what they answer, for the OpenAPI document. The
 * bodies are streams the controller reads itself (ingest-body-parser.ts), so Nest cannot infer
 * any of this: the content types and limits come from the same constants the code uses.
 */
const LIMITS = `At most ${INGEST_MAX_BYTES / 1024 / 1024} MiB (compressed or not) and ${INGEST_MAX_EVENTS} events a request.`;

const error = (status: number, description: string, retryAfter = false) =>
  ApiResponse({
    status,
    description,
    type: ErrorBodyDto,
    ...(retryAfter
      ? { headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait' } } }
      : {}),
  });

/** The request body: NDJSON lines, audit text, or (Falco) one JSON alert. */
export function ApiIngestBody(description: string, options: { json?: boolean } = {}) {
  const types = options.json ? ['application/json', ...INGEST_CONTENT_TYPES] : INGEST_CONTENT_TYPES;
  return applyDecorators(
    ApiExtraModels(SecurityEventDto),
    ApiConsumes(...types),
    ApiBody({
      description: `${description} ${LIMITS} Send Content-Encoding: gzip for a gzip body.`,
      schema: { type: 'string' },
    }),
    ApiHeader({
      name: 'Content-Encoding',
      required: false,
      description:
        'gzip (or x-gzip) when the body is compressed; anything else but identity is refused (415)',
      schema: { type: 'string', enum: ['identity', 'gzip', 'x-gzip'] },
    }),
  );
}

/** The success answer and the errors every ingest route really gives. */
export function ApiIngestAnswers() {
  return applyDecorators(
    ApiResponse({
      status: 202,
      description: 'Read: the valid events are stored all or nothing; refused ones are listed in errors',
      type: IngestResultDto,
    }),
    error(
      400,
      'invalid_body (body not sent as one of the content types), invalid_gzip, invalid_json (Falco)',
    ),
    error(403, 'The token lacks the role'),
    error(413, `payload_too_large or too_many_events. ${LIMITS}`),
    error(415, 'unsupported_media_type (Content-Type) or unsupported_encoding (Content-Encoding)'),
    error(503, 'ingest_unavailable or unavailable: nothing was stored, send the batch again later', true),
  );
}

/** ?host= for senders that are not agents (an agent token always sends its own host's events). */
export function ApiIngestHostQuery(description: string) {
  return ApiQuery({
    name: 'host',
    required: false,
    description: `${description} Ignored for agent tokens: their events are their host's.`,
    schema: { type: 'string' },
  });
}
