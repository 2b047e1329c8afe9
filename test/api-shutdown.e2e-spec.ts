import { request as httpRequest } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '@sandtrap/api';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

describe('graceful shutdown', () => {
  let db: TestDatabase;
  let dataDir: string;
  afterAll(async () => {
    await db?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('finishes a request in flight when closing, then refuses new connections', async () => {
    db = await createTestDatabase();
    dataDir = await mkdtemp(path.join(tmpdir(), 'sandtrap-shutdown-'));
    const admin = 'shutdown-admin-token-0123456789';
    const server = await startServer({
      DATABASE_URL: db.url,
      PORT: '0',
      HOST: '127.0.0.1',
      SANDTRAP_DATA_DIR: dataDir,
      SANDTRAP_ADMIN_TOKEN: admin,
      SANDTRAP_LOG_LEVEL: 'silent',
    });
    const url = new URL('/v1/tokens', server.url);
    const body = JSON.stringify({ name: 'in-flight', role: 'viewer' });
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        url,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${admin}`,
            'content-type': 'application/json',
            'content-length': body.length,
          },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      // Half the body now, the rest once the shutdown has begun.
      req.write(body.slice(0, 10));
      setTimeout(() => req.end(body.slice(10)), 300);
    });
    await new Promise((r) => setTimeout(r, 100));
    const closed = server.close();
    const res = await answer;
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body)).toMatchObject({ name: 'in-flight' });
    const t0 = Date.now();
    await closed;
    // Not held up by the client's keep-alive connection (Node keeps it 5 s).
    expect(Date.now() - t0).toBeLessThan(3000);
    await expect(fetch(new URL('/healthz', server.url))).rejects.toThrow();
  });
});
