import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from './app.factory.js';
import { createAppLogger } from './common/app-logger.js';
import { loadConfig, type AppConfig } from './config/app-config.js';
import type { EmbeddedDatabase } from './database/embedded-postgres.js';

export interface RunningServer {
  app: NestFastifyApplication;
  config: AppConfig;
  /** The address it listens on, e.g. http://127.0.0.1:8080. */
  url: string;
  /** Stops accepting, finishes in-flight requests, closes pools, then stops the embedded Postgres. */
  close(): Promise<void>;
}

/** Boots the API from an environment: the embedded Postgres when DATABASE_URL is unset, then listens. */
export async function startServer(env: Record<string, string | undefined>): Promise<RunningServer> {
  const config = loadConfig(env);
  const logger = createAppLogger(config.logLevel);
  let embedded: EmbeddedDatabase | undefined;
  if (!config.databaseUrl) {
    // Loaded only when used: the package installs process-wide signal hooks when imported.
    const { startEmbeddedPostgres } = await import('./database/embedded-postgres.js');
    embedded = await startEmbeddedPostgres(config.dataDir, config.embeddedPgPort, logger);
    config.databaseUrl = embedded.url;
  }
  try {
    const app = await createApp(config, { logger });
    await app.listen(config.port, config.host);
    const url = await app.getUrl();
    logger.info({ url, embeddedPostgres: embedded !== undefined }, `Sandtrap API listening on ${url}`);
    let closing: Promise<void> | undefined;
    return {
      app,
      config,
      url: url.replace('[::1]', '127.0.0.1').replace('0.0.0.0', '127.0.0.1'),
      close: () =>
        (closing ??= (async () => {
          logger.info('Shutting down: finishing in-flight requests');
          await app.close();
          await embedded?.stop();
          logger.info('Stopped');
        })()),
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}
