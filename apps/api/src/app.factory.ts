import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AppModule } from './app.module.js';
import { createAppLogger, PinoNestLogger } from './common/app-logger.js';
import { ErrorFilter } from './common/error.filter.js';
import { requestIdOf } from './common/request-id.js';
import { createValidationPipe } from './common/validation.pipe.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { registerIngestBodyParser } from './ingest/ingest-body-parser.js';
import { REQUEST_TIMEOUT_MS } from './rate-limit/request-timeout.js';
import { setupOpenApi } from './openapi/openapi.setup.js';

/** JSON bodies of ordinary routes; ingest routes read their (up to 16 MiB, maybe gzip) bodies themselves. */
export const JSON_BODY_LIMIT = 1024 * 1024;

/**
 * Content-type parsers beyond Fastify's JSON one, registered on the Fastify instance before any
 * route: append yours. Ingest registers raw-stream parsers for NDJSON and text bodies here.
 */
export const CONTENT_TYPE_PARSERS: Array<(fastify: FastifyInstance) => void> = [registerIngestBodyParser];

export interface CreateAppOptions {
  /** The process logger (main.ts shares it with the embedded Postgres); made from config otherwise. */
  logger?: Logger;
}

function rootModule(config: AppConfig): DynamicModule {
  @Module({})
  class SandtrapRootModule {}
  return { module: SandtrapRootModule, imports: [ConfigModule.forRoot(config), AppModule] };
}

/** The whole API, initialised (migrated, routes ready) but not listening: main.ts and tests listen. */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const logger = options.logger ?? createAppLogger(config.logLevel);
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    bodyLimit: JSON_BODY_LIMIT,
    genReqId: requestIdOf,
    return503OnClosing: true,
    requestTimeout: REQUEST_TIMEOUT_MS,
  });
  const fastify = adapter.getInstance() as unknown as FastifyInstance;
  for (const register of CONTENT_TYPE_PARSERS) register(fastify);
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  // While closing, answers in flight end their keep-alive connection, so close() need not wait
  // for the client's idle timeout.
  let closing = false;
  fastify.addHook('preClose', async () => {
    closing = true;
  });
  fastify.addHook('onSend', async (_request, reply) => {
    if (closing) void reply.header('connection', 'close');
  });

  const app = await NestFactory.create<NestFastifyApplication>(rootModule(config), adapter, {
    logger: new PinoNestLogger(logger),
    // Fastify's own JSON parser: its errors carry codes (FST_ERR_CTP_*) that map to the contract's.
    bodyParser: false,
    // Start-up failures (database unreachable) reject, so main.ts reports them and tests see them.
    abortOnError: false,
  });
  app.useGlobalFilters(new ErrorFilter());
  app.useGlobalPipes(createValidationPipe());
  setupOpenApi(app);
  await app.init();
  await fastify.ready();
  return app;
}
