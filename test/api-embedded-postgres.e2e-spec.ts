import { mkdtemp, readFile, rm, stat, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '@sandtrap/api';

/** The all-in-one default: no DATABASE_URL, a real PostgreSQL in the data dir, kept across restarts. */
describe('embedded Postgres', () => {
  let dataDir: string;
  let server: RunningServer | undefined;
  afterAll(async () => {
    await server?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const env = () => ({
    PORT: '0',
    HOST: '127.0.0.1',
    SANDTRAP_DATA_DIR: dataDir,
    SANDTRAP_LOG_LEVEL: 'silent',
    SANDTRAP_LOCAL_AGENT: 'off',
    SANDTRAP_EMBEDDED_PG_PORT: String(55000 + Math.floor(Math.random() * 5000)),
  });

  it('starts without DATABASE_URL, generates the first admin token, and keeps data across a restart', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'sandtrap-embedded-'));
    await chmod(dataDir, 0o711);
    server = await startServer(env());
    expect(server.config.databaseUrl).toMatch(/^postgres:\/\/postgres:.+@127\.0\.0\.1:\d+\/sandtrap$/);

    const adminFile = path.join(dataDir, 'admin-token');
    const adminToken = (await readFile(adminFile, 'utf8')).trim();
    expect(adminToken).toMatch(/^st_/);
    expect((await stat(adminFile)).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dataDir, 'postgres-password'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dataDir, 'postgres', 'PG_VERSION'))).isFile()).toBe(true);

    const created = await supertest(server.url)
      .post('/v1/tokens')
      .set('authorization', `Bearer ${adminToken}`)
      .send({ name: 'survivor', role: 'viewer' });
    expect(created.status).toBe(201);
    await server.close();
    server = undefined;

    server = await startServer(env());
    const again = await supertest(server.url).get('/v1/tokens').set('authorization', `Bearer ${adminToken}`);
    expect(again.status).toBe(200);
    expect(again.body.items.map((i: { name: string }) => i.name)).toEqual(['first-admin', 'survivor']);
    // Not generated again: the first admin token is the same and still the only one.
    expect((await readFile(adminFile, 'utf8')).trim()).toBe(adminToken);
    const viewer = await supertest(server.url)
      .get('/v1/hosts')
      .set('authorization', `Bearer ${created.body.token}`);
    expect(viewer.status).toBe(200);
  }, 180_000);
});
