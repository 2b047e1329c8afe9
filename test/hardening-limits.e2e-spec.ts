import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

const LIMIT = 5;
const INGEST_LIMIT = 8;

describe('hardening: rate limits per token', () => {
  let t: TestApp;
  let viewerA: string;
  let viewerB: string;
  let ingest: string;

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        SANDTRAP_RATE_LIMIT_PER_MINUTE: String(LIMIT),
        SANDTRAP_INGEST_RATE_LIMIT_PER_MINUTE: String(INGEST_LIMIT),
      },
    });
    // Token creation spends the admin token's own budget (3 of 5), which is what we want to see.
    viewerA = await t.tokenFor('viewer');
    viewerB = await t.tokenFor('viewer');
    ingest = await t.tokenFor('ingest');
  });
  afterAll(async () => t?.close());

  it('answers 429 rate_limited with Retry-After past the burst, and other tokens are unaffected', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 3; i++) {
      const r = await t.request.get('/v1/hosts').set('authorization', `Bearer ${viewerA}`);
      statuses.push(r.status);
      if (r.status === 429) {
        expect(r.body).toMatchObject({ error: { code: 'rate_limited' } });
        expect(r.body.error.message).toContain(`${LIMIT} a minute`);
        // 5 a minute: a token every 12 s.
        const retryAfter = Number(r.headers['retry-after']);
        expect(retryAfter).toBeGreaterThanOrEqual(1);
        expect(retryAfter).toBeLessThanOrEqual(12);
        expect(r.headers['x-request-id']).toBeTruthy();
      }
    }
    expect(statuses).toEqual([...Array(LIMIT).fill(200), 429, 429, 429]);

    const other = await t.request.get('/v1/hosts').set('authorization', `Bearer ${viewerB}`);
    expect(other.status).toBe(200);
  });

  it('gives ingest tokens their own, higher, limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < INGEST_LIMIT + 1; i++) {
      const r = await t.request
        .post('/v1/ingest/events')
        .set('authorization', `Bearer ${ingest}`)
        .set('content-type', 'application/x-ndjson')
        .send('');
      statuses.push(r.status);
    }
    expect(statuses.slice(0, INGEST_LIMIT).every((s) => s !== 429)).toBe(true);
    expect(statuses[INGEST_LIMIT]).toBe(429);
  });

  it('limits anonymous routes by client address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 1; i++) statuses.push((await t.request.get('/healthz')).status);
    expect(statuses).toEqual([...Array(LIMIT).fill(200), 429]);
  });
});

describe('hardening: limits that are always on', () => {
  let t: TestApp;
  let viewer: string;

  beforeAll(async () => {
    t = await startTestApp();
    viewer = await t.tokenFor('viewer');
  });
  afterAll(async () => t?.close());

  it('the default limit lets a burst of 200 requests of one token through', async () => {
    const burst = await Promise.all(
      Array.from({ length: 200 }, () => t.request.get('/v1/hosts').set('authorization', `Bearer ${viewer}`)),
    );
    expect(burst.every((r) => r.status === 200)).toBe(true);
  });

  it('sets a request time limit on the server', () => {
    const server = t.app.getHttpServer() as { requestTimeout: number };
    expect(server.requestTimeout).toBe(30_000);
  });

  it.each([
    ['/v1/violations?limit=1001', '/limit'],
    ['/v1/violations?limit=0', '/limit'],
    ['/v1/violations?limit=99999999999', '/limit'],
    ['/v1/violations/stats?groupBy=syscall&limit=1001', '/limit'],
    ['/v1/violations/timeseries?interval=1m&from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z', '/from'],
    ['/v1/violations/stats?groupBy=syscall&from=2000-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', '/from'],
    ['/v1/violations?exe=<5000 chars>', '/exe'],
    ['/v1/violations?syscall=<101 names>', '/syscall'],
  ])('caps page size, query range and parameter size: %s -> 400 at %s', async (label, pointer) => {
    const url = label
      .replace('<5000 chars>', 'a'.repeat(5000))
      .replace('<101 names>', Array.from({ length: 101 }, (_, i) => `s${i}`).join(','));
    const r = await t.request.get(url).set('authorization', `Bearer ${viewer}`);
    expect(r.status).toBe(400);
    const pointers = (r.body.error.details.errors as Array<{ pointer: string }>).map((e) => e.pointer);
    expect(pointers).toContain(pointer);
  });

  it('caps the audit log page size', async () => {
    const admin = `Bearer ${t.adminToken}`;
    expect((await t.request.get('/v1/audit-log?limit=1000').set('authorization', admin)).status).toBe(200);
    const r = await t.request.get('/v1/audit-log?limit=1001').set('authorization', admin);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_failed');
  });

  it('refuses JSON bodies over 1 MiB on ordinary routes with 413', async () => {
    const r = await t.request
      .post('/v1/tokens')
      .set('authorization', `Bearer ${t.adminToken}`)
      .set('content-type', 'application/json')
      .send(JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10), role: 'viewer' }));
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('payload_too_large');
  });
});
