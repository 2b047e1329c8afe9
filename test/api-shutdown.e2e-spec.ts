import { request as httpRequest } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { DELTA_TABLE, startServer } from '@sandtrap/api';
import { ndjson, seccompEvent } from './fixtures/ingest/security-events.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

describe('graceful shutdown', () => {
  let db: TestDatabase;
  let dataDir: string;
  afterAll(async () => {
    await db?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });
  const admin = 'shutdown-admin-token-0123456789';
  /** The service on this suite's database (made by the first test) and data directory. */
  const start = () =>
    startServer({
      DATABASE_URL: db.url,
      PORT: '0',
      HOST: '127.0.0.1',
      SANDTRAP_DATA_DIR: dataDir,
      SANDTRAP_ADMIN_TOKEN: admin,
      SANDTRAP_LOG_LEVEL: 'silent',
    });

  it('finishes a request in flight when closing, then refuses new connections', async () => {
    db = await createTestDatabase();
    dataDir = await mkdtemp(path.join(tmpdir(), 'sandtrap-shutdown-'));
    const server = await start();
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

  it('folds the rollup deltas of the batches it stored into the rollup tiers before it stops', async () => {
    const server = await start();
    const events = Array.from({ length: 40 }, (_, i) => seccompEvent(i, { eventKey: `fold-on-stop:${i}` }));
    const r = await fetch(new URL('/v1/ingest/events', server.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/x-ndjson' },
      body: ndjson(events),
    });
    expect(await r.json()).toMatchObject({ accepted: 40 });
    // Before the second that the fold waits for a batch has passed.
    await server.close();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const pending = await client.query(`SELECT count(*)::int AS n FROM ${DELTA_TABLE}`);
      expect(pending.rows[0].n).toBe(0);
      for (const table of ['violation_counts', 'violation_counts_1h', 'violation_actions_1m']) {
        const { rows } = await client.query(`SELECT sum(count)::int AS n FROM ${table}`);
        expect(rows[0].n, table).toBe(40);
      }
    } finally {
      await client.end();
    }
  });
});
