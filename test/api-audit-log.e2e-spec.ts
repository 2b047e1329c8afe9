import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('audit log API', () => {
  let t: TestApp;
  let operator: string;
  const ids: string[] = [];
  beforeAll(async () => {
    t = await startTestApp();
    operator = await t.tokenFor('operator');
    for (let i = 0; i < 5; i++) {
      const res = await t.request
        .post('/v1/tokens')
        .set('authorization', `Bearer ${t.adminToken}`)
        .send({ name: `paged-${i}`, role: 'viewer' });
      ids.push(res.body.id);
    }
  });
  afterAll(() => t?.close());

  const get = (query: string) =>
    t.request.get(`/v1/audit-log${query}`).set('authorization', `Bearer ${operator}`);

  it('pages newest first with keyset cursors, without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get(`?action=token.create&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((e: { targetId: string }) => e.targetId));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    // 5 made here plus the operator token of beforeAll, newest first.
    expect(seen).toHaveLength(6);
    expect(seen.slice(0, 5)).toEqual([...ids].reverse());
    expect(new Set(seen).size).toBe(6);
    expect(pages).toBe(3);
  });

  it('filters by actor, target and time', async () => {
    const byActor = await get('?actor=token:SANDTRAP_ADMIN_TOKEN&limit=100');
    expect(byActor.body.items.length).toBeGreaterThanOrEqual(6);
    expect(byActor.body.items.every((e: { actor: string }) => e.actor === 'token:SANDTRAP_ADMIN_TOKEN')).toBe(
      true,
    );
    const one = await get(`?targetType=token&targetId=${ids[2]}`);
    expect(one.body.items).toHaveLength(1);
    expect(one.body.items[0]).toMatchObject({
      action: 'token.create',
      after: { name: 'paged-2' },
      before: null,
    });
    const future = await get('?from=2999-01-01T00:00:00Z');
    expect(future.body).toEqual({ items: [], nextCursor: null });
  });

  it('refuses garbage queries by pointer and garbage cursors by code', async () => {
    for (const [query, pointer] of [
      ['?limit=0', '/limit'],
      ['?limit=abc', '/limit'],
      ['?limit=5000', '/limit'],
      ['?from=yesterday', '/from'],
      ['?colour=red', '/colour'],
    ]) {
      const res = await get(query);
      expect(res.status, query).toBe(400);
      expect(res.body.error.details.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
    }
    for (const cursor of [
      'garbage',
      Buffer.from('{"id":"1; drop"}').toString('base64url'),
      Buffer.from('[]').toString('base64url'),
    ]) {
      const res = await get(`?cursor=${cursor}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_cursor');
    }
  });
});
