import { applyDecorators } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { EVENT_ACTIONS, EVENT_SOURCES } from '@sandtrap/events';
import { INTERVAL_MAX_DAYS, INTERVAL_MINUTES, STATS_DIMENSIONS } from '../violation-query.params.js';

/**
 * The query parameters of GET /v1/violations, /stats and /timeseries as the OpenAPI document
 * shows them. The service validates them (violation-query.params.ts); the names, values and limits
 * here come from the same constants, and test/api-openapi.e2e-spec.ts fails when the service
 * reads a parameter this file does not document.
 */
const MAX_TEXT = 4096;
const MAX_LIST_VALUES = 100;

function text(name: string, description: string) {
  return ApiQuery({ name, required: false, description, schema: { type: 'string', maxLength: MAX_TEXT } });
}

/** `a,b,c`: OpenAPI's form style without explode. */
function list(name: string, description: string, values?: readonly string[]) {
  return ApiQuery({
    name,
    required: false,
    description: `${description}; comma-separated, 1 to ${MAX_LIST_VALUES} values`,
    style: 'form',
    explode: false,
    schema: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_LIST_VALUES,
      items: values ? { type: 'string', enum: [...values] } : { type: 'string' },
    },
  });
}

function time(name: string, description: string) {
  return ApiQuery({
    name,
    required: false,
    description: `${description}; ISO 8601 with a zone (Z or +hh:mm), up to microseconds`,
    schema: { type: 'string', format: 'date-time', example: '2026-01-01T00:00:00Z' },
  });
}

function limit(fallback: number, description: string) {
  return ApiQuery({
    name: 'limit',
    required: false,
    description,
    schema: { type: 'integer', minimum: 1, maximum: 1000, default: fallback },
  });
}

/** The filters every violations route reads. `ranged`: from/to default to the last 24 hours. */
function ViolationFilters(ranged: string | undefined) {
  const span = ranged ? ` (default: ${ranged})` : '';
  return applyDecorators(
    time('from', `Events observed at or after this time${span}`),
    time(
      'to',
      `Events observed before this time; after from${ranged ? ' (default: the end of the current minute)' : ''}`,
    ),
    list('host', 'Host names'),
    list('syscall', 'Syscall names, e.g. ptrace'),
    list('action', 'Actions', EVENT_ACTIONS),
    list('source', 'Sources', EVENT_SOURCES),
    ApiQuery({
      name: 'blocked',
      required: false,
      description: 'Only events whose call was (true) or was not (false) blocked',
      schema: { type: 'string', enum: ['true', 'false'] },
    }),
    text('exe', 'Exact executable path'),
    text('comm', 'Exact command name (comm)'),
    text('container', 'Exact container id'),
    text('pod', 'Exact pod name'),
    text('namespace', 'Exact Kubernetes namespace'),
    text('policy', 'Exact policy (profile) name'),
  );
}

/** GET /v1/violations: filters, page size and cursor. */
export function ApiViolationListQuery() {
  return applyDecorators(
    ViolationFilters(undefined),
    limit(100, 'Events per page'),
    ApiQuery({
      name: 'cursor',
      required: false,
      description: 'nextCursor of the previous page (opaque); the filters must stay the same',
      schema: { type: 'string', maxLength: MAX_TEXT },
    }),
  );
}

/** GET /v1/violations/stats. */
export function ApiViolationStatsQuery() {
  return applyDecorators(
    ViolationFilters('24 hours before to; the range may span at most 3660 days'),
    ApiQuery({
      name: 'groupBy',
      required: true,
      description: 'The dimension to count by',
      schema: { type: 'string', enum: [...STATS_DIMENSIONS] },
    }),
    limit(10, 'How many groups, largest first'),
  );
}

/** GET /v1/violations/timeseries. */
export function ApiViolationTimeseriesQuery() {
  const spans = Object.entries(INTERVAL_MAX_DAYS)
    .map(([interval, days]) => `${days} days at ${interval}`)
    .join(', ');
  return applyDecorators(
    ViolationFilters(`24 hours before to; the range may span at most ${spans}`),
    ApiQuery({
      name: 'interval',
      required: false,
      description: 'Bucket width',
      schema: { type: 'string', enum: Object.keys(INTERVAL_MINUTES), default: '1h' },
    }),
  );
}
