import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('error shape', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  const admin = () => ({ authorization: `Bearer ${t.adminToken}` });

  function expectErrorShape(body: unknown, code: string) {
    expect(body).toMatchObject({ error: { code, message: expect.any(String) } });
    expect(JSON.stringify(body)).not.toMatch(/at \S+ \(|node_modules/);
  }

  it('answers 400 invalid_json for a body that is not JSON', async () => {
    const res = await t.request
      .post('/v1/tokens')
      .set(admin())
      .set('content-type', 'application/json')
      .send('{"name": ');
    expect(res.status).toBe(400);
    expectErrorShape(res.body, 'invalid_json');
    expect(res.headers['x-request-id']).toBeTruthy();
  });

  it('answers 400 naming the root for JSON that is not an object', async () => {
    for (const raw of ['[1,2]', '"text"', '42', 'null']) {
      const res = await t.request
        .post('/v1/tokens')
        .set(admin())
        .set('content-type', 'application/json')
        .send(raw);
      expect(res.status, raw).toBe(400);
      expect(res.body.error.code).toMatch(/validation_failed|invalid_json/);
    }
  });

  it('answers 415 for a content type the route does not take', async () => {
    const res = await t.request
      .post('/v1/tokens')
      .set(admin())
      .set('content-type', 'application/xml')
      .send('<a/>');
    expect(res.status).toBe(415);
    expectErrorShape(res.body, 'unsupported_media_type');
  });

  it('answers 413 for a JSON body over the limit', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024), role: 'viewer' });
    const res = await t.request
      .post('/v1/tokens')
      .set(admin())
      .set('content-type', 'application/json')
      .send(big);
    expect(res.status).toBe(413);
    expectErrorShape(res.body, 'payload_too_large');
  });

  it('names each wrongly typed field by JSON pointer', async () => {
    const res = await t.request
      .post('/v1/tokens')
      .set(admin())
      .send({ name: ['x'], role: 3 });
    expect(res.status).toBe(400);
    expectErrorShape(res.body, 'validation_failed');
    const pointers = res.body.error.details.errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/name', '/role']));
  });

  it('answers 404 in the same shape for an unknown route', async () => {
    const res = await t.request.get('/v1/nothing-here').set(admin());
    expect(res.status).toBe(404);
    expectErrorShape(res.body, 'not_found');
  });

  it('keeps a sane caller request id and replaces an insane one', async () => {
    const kept = await t.request.get('/healthz').set('x-request-id', 'trace-abc.123');
    expect(kept.headers['x-request-id']).toBe('trace-abc.123');
    const replaced = await t.request.get('/healthz').set('x-request-id', 'bad id with spaces');
    expect(replaced.headers['x-request-id']).not.toBe('bad id with spaces');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('does not take gzip on ordinary JSON routes', async () => {
    const res = await t.request
      .post('/v1/tokens')
      .set(admin())
      .set('content-type', 'application/json')
      .set('content-encoding', 'gzip')
      .send(gzipSync(JSON.stringify({ name: 'z', role: 'viewer' })));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body.error).toBeDefined();
  });
});
