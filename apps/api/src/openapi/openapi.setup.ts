import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { ErrorBodyDto } from './error-body.dto.js';

export const OPENAPI_JSON_PATH = '/docs/openapi.json';

/** The OpenAPI document, generated from the controllers and DTOs. */
export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Sandtrap API')
    .setDescription(
      'Fleet-wide observatory for Linux seccomp sandboxes. Every error answer is ' +
        '`{"error": {"code", "message", "details"}}`; send tokens as `Authorization: Bearer <token>`.',
    )
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API token (st_...)' }, BEARER)
    .build();
  return documentAccess(SwaggerModule.createDocument(app, config, { extraModels: [ErrorBodyDto] }));
}

const BEARER = 'bearer';
const ERROR_CONTENT = { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBodyDto' } } };
const RETRY_AFTER = { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait' } };
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

/**
 * Every operation states its access from the same decorators the guard reads: public ones need no
 * security, the others need the bearer scheme (roles in `x-sandtrap-roles`; none means admin) and
 * document 401/403/429/503. Every operation documents the error shape, even routes that forgot to.
 */
export function documentAccess(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const op = item[method] as
        (Record<string, unknown> & { responses: Record<string, unknown>; requestBody?: unknown }) | undefined;
      if (!op) continue;
      op.responses ??= {};
      if (op['x-sandtrap-public'] === true) {
        op.security = [];
      } else {
        op.security = [{ [BEARER]: [] }];
        op['x-sandtrap-roles'] ??= ['admin'];
        op.responses['401'] ??= { description: 'No valid bearer token', content: ERROR_CONTENT };
        op.responses['403'] ??= { description: 'The token lacks the role', content: ERROR_CONTENT };
        op.responses['429'] ??= {
          description: 'Rate limit of this token reached: retry after the Retry-After header',
          headers: RETRY_AFTER,
          content: ERROR_CONTENT,
        };
        // The token is looked up in the database on every request, so any route can answer 503.
        op.responses['503'] ??= {
          description: 'The database is not available: retry after the Retry-After header',
          headers: RETRY_AFTER,
          content: ERROR_CONTENT,
        };
      }
      if (op.requestBody) {
        // Fastify reads every body before the route runs: these can answer any route that takes one.
        op.responses['400'] ??= {
          description: 'The body is not valid (invalid_json ...)',
          content: ERROR_CONTENT,
        };
        op.responses['413'] ??= { description: 'Body too large (JSON: 1 MiB)', content: ERROR_CONTENT };
        op.responses['415'] ??= { description: 'Unsupported content type', content: ERROR_CONTENT };
      }
      op.responses.default ??= {
        description: 'Any other error, in the one error shape',
        content: ERROR_CONTENT,
      };
    }
  }
  return document;
}

/** Serves the document at /docs/openapi.json and the Swagger UI at /docs (no token needed). */
export function setupOpenApi(app: NestFastifyApplication): OpenAPIObject {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: OPENAPI_JSON_PATH.slice(1),
    yamlDocumentUrl: 'docs/openapi.yaml',
    swaggerOptions: { persistAuthorization: true },
  });
  return document;
}
