import type { TestProject } from 'vitest/node';
import { startTestPostgres, type TestPostgres } from './test-postgres.js';

let server: TestPostgres | undefined;

/**
 * One Postgres server for the whole run: `DATABASE_URL` when set, otherwise the embedded one.
 * Each suite then creates its own database on it (see test-database.ts), so suites never share rows.
 */
export async function setup(project: TestProject): Promise<void> {
  server = await startTestPostgres();
  project.provide('postgresUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}
