import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { PG_POOL } from './pg-pool.js';
import { dataSourceOptions, migrateUnderLock } from './schema-migrator.js';

const logger = new Logger('Database');

function databaseUrlOf(config: AppConfig): string {
  // main.ts starts the embedded Postgres before the app when no DATABASE_URL is configured.
  if (!config.databaseUrl)
    throw new Error('No database URL: main.ts should have started the embedded Postgres');
  return config.databaseUrl;
}

/**
 * TypeORM (entities via `TypeOrmModule.forFeature`, migrations) plus a raw `pg.Pool` under
 * `PG_POOL`. The DataSource factory migrates before anything can query, so every provider that
 * injects either one sees the current schema.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(databaseUrlOf(config)),
        autoLoadEntities: true,
        retryAttempts: 3,
        retryDelay: 1000,
      }),
      dataSourceFactory: async (options) => {
        const dataSource = await new DataSource(options!).initialize();
        const ran = await migrateUnderLock(dataSource);
        if (ran.length > 0) logger.log(`Applied migrations: ${ran.join(', ')}`);
        return dataSource;
      },
    }),
  ],
  providers: [
    {
      provide: PG_POOL,
      inject: [APP_CONFIG, getDataSourceToken()],
      useFactory: (config: AppConfig) => {
        const pool = new pg.Pool({
          connectionString: databaseUrlOf(config),
          max: 10,
          application_name: 'sandtrap-api',
          connectionTimeoutMillis: 5000,
        });
        // An idle client losing its server must not crash the process; the next query reconnects.
        pool.on('error', (e) => logger.warn(`Idle database connection failed: ${e.message}`));
        // pg-pool listens only while a client is idle: one checked out when the server stops would
        // emit an unhandled 'error' and end the process (test/faults-postgres-restart.e2e-spec.ts).
        pool.on('connect', (c) =>
          c.on('error', (e) => logger.warn(`Database connection failed: ${e.message}`)),
        );
        return pool;
      },
    },
  ],
  exports: [PG_POOL],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  // On shutdown (after the HTTP server stopped, so in-flight requests had their connections).
  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
