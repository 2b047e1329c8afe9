import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import supertest from 'supertest';
import { createApp, loadConfig, type Role } from '@sandtrap/api';
import { createTestDatabase } from './test-database.js';

export interface TestApp {
  app: NestFastifyApplication;
  baseUrl: string;
  /** SANDTRAP_ADMIN_TOKEN of this app. */
  adminToken: string;
  databaseUrl: string;
  dataDir: string;
  request: supertest.Agent;
  /** A real token of `role` made through POST /v1/tokens; for `agent` a host is enrolled unless `hostId` is given. */
  tokenFor(role: Role, options?: { hostId?: string; hostname?: string }): Promise<string>;
  close(): Promise<void>;
}

/** The real API (real Postgres, its own fresh database and data dir) listening on a free port. */
export async function startTestApp(options: { env?: Record<string, string> } = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sandtrap-test-'));
  const adminToken = `test-admin-${randomBytes(16).toString('hex')}`;
  const config = loadConfig({
    SANDTRAP_LOG_LEVEL: process.env.SANDTRAP_TEST_LOG_LEVEL ?? 'silent',
    SANDTRAP_ADMIN_TOKEN: adminToken,
    SANDTRAP_DATA_DIR: dataDir,
    SANDTRAP_LOCAL_AGENT: 'off',
    ...options.env,
    DATABASE_URL: db.url,
  });
  let app: NestFastifyApplication;
  try {
    app = await createApp(config);
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const request = supertest.agent(baseUrl);
  let counter = 0;

  return {
    app,
    baseUrl,
    adminToken,
    databaseUrl: db.url,
    dataDir,
    request,
    async tokenFor(role, opts = {}) {
      counter += 1;
      if (role === 'agent' && !opts.hostId) {
        const res = await supertest(baseUrl)
          .post('/v1/hosts/enroll')
          .set('authorization', `Bearer ${adminToken}`)
          .send({ hostname: opts.hostname ?? `test-host-${counter}-${randomBytes(3).toString('hex')}` });
        if (res.status !== 201) throw new Error(`enroll failed: ${res.status} ${JSON.stringify(res.body)}`);
        return (res.body as { token: string }).token;
      }
      const res = await supertest(baseUrl)
        .post('/v1/tokens')
        .set('authorization', `Bearer ${adminToken}`)
        .send({ name: `test-${role}-${counter}`, role, ...(opts.hostId ? { hostId: opts.hostId } : {}) });
      if (res.status !== 201)
        throw new Error(`token creation failed: ${res.status} ${JSON.stringify(res.body)}`);
      return (res.body as { token: string }).token;
    },
    async close() {
      await app.close();
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
