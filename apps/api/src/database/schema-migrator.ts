import { migrations } from '@sandtrap/migrations';
import type { DataSource, DataSourceOptions } from 'typeorm';

/**
 * Session advisory lock key held while migrating, so replicas starting together migrate one at a
 * time (the second finds nothing left to do). Any constant works; this one reads "sandtrap".
 */
export const MIGRATION_LOCK_KEY = '7310312262883225712';

export const MIGRATIONS_TABLE = 'schema_migrations';

/** TypeORM options shared by the app and the tools: schema changes only through migrations. */
export function dataSourceOptions(
  url: string,
  entities: NonNullable<DataSourceOptions['entities']> = [],
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: MIGRATIONS_TABLE,
    synchronize: false,
    migrationsRun: false,
    extra: { max: 4, application_name: 'sandtrap-api' },
  };
}

/** Runs the pending migrations, each in its own transaction, under the advisory lock. Answers their names. */
export async function migrateUnderLock(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    try {
      const ran = await dataSource.runMigrations({ transaction: 'each' });
      return ran.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
