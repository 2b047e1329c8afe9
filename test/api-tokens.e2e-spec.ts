import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Polls `read` until it answers something other than null (the touch is sent after the answer). */
async function until<T>(read: () => Promise<T | null>): Promise<T> {
  for (let i = 0; i < 50; i++) {
    const value = await read();
    if (value !== null) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('still null after 2.5 s');
}

describe('tokens API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  const admin = () => ({ authorization: `Bearer ${t.adminToken}` });

  it('creates a token whose secret works at once and is never listed', async () => {
    const created = await t.request.post('/v1/tokens').set(admin()).send({ name: 'reader', role: 'viewer' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'reader',
      role: 'viewer',
      revokedAt: null,
      createdBy: 'token:SANDTRAP_ADMIN_TOKEN',
    });
    expect(created.body.token).toMatch(/^st_[0-9a-f]{32}_/);
    expect(created.headers['x-request-id']).toBeTruthy();

    const list = await t.request.get('/v1/tokens').set(admin());
    expect(list.status).toBe(200);
    const listed = list.body.items.find((i: { id: string }) => i.id === created.body.id);
    expect(listed).toMatchObject({ name: 'reader', role: 'viewer' });
    expect(JSON.stringify(list.body)).not.toContain(created.body.token.slice(36));

    const asViewer = await t.request
      .get('/v1/audit-log')
      .set('authorization', `Bearer ${created.body.token}`);
    expect(asViewer.status).toBe(403);
    expect(asViewer.body.error.code).toBe('forbidden');
  });

  it('marks a token used at its first request, and not again within the minute', async () => {
    const created = await t.request.post('/v1/tokens').set(admin()).send({ name: 'marked', role: 'viewer' });
    const lastUsed = async () =>
      (await t.request.get('/v1/tokens').set(admin())).body.items.find(
        (i: { id: string }) => i.id === created.body.id,
      ).lastUsedAt as string | null;
    expect(await lastUsed()).toBeNull();
    const use = () =>
      t.request.get('/v1/violations?limit=1').set('authorization', `Bearer ${created.body.token}`);
    expect((await use()).status).toBe(200);
    const first = await until(lastUsed);
    for (let i = 0; i < 5; i++) expect((await use()).status).toBe(200);
    await new Promise((r) => setTimeout(r, 200)); // a touch, were one sent, would have landed
    expect(await lastUsed()).toBe(first);
  });

  it('revokes at once: the next request with the token is 401', async () => {
    const token = await t.tokenFor('operator');
    const before = await t.request.get('/v1/audit-log').set('authorization', `Bearer ${token}`);
    expect(before.status).toBe(200);
    const id = before.body.items.find((e: { action: string }) => e.action === 'token.create')
      .targetId as string;
    const revoked = await t.request.delete(`/v1/tokens/${id}`).set(admin());
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    const after = await t.request.get('/v1/audit-log').set('authorization', `Bearer ${token}`);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('unauthorized');
  });

  it('refuses a forged secret for a real token id', async () => {
    const token = await t.tokenFor('admin');
    const forged = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const res = await t.request.get('/v1/tokens').set('authorization', `Bearer ${forged}`);
    expect(res.status).toBe(401);
  });

  it('records every token change in the audit log without the secret', async () => {
    const created = await t.request.post('/v1/tokens').set(admin()).send({ name: 'audited', role: 'ingest' });
    await t.request.delete(`/v1/tokens/${created.body.id}`).set(admin()).expect(200);
    const log = await t.request
      .get(`/v1/audit-log?targetType=token&targetId=${created.body.id}`)
      .set(admin());
    expect(log.status).toBe(200);
    expect(log.body.items.map((e: { action: string }) => e.action)).toEqual(['token.revoke', 'token.create']);
    expect(JSON.stringify(log.body)).not.toContain(created.body.token.slice(36));
  });

  it('names bad fields by JSON pointer', async () => {
    const res = await t.request.post('/v1/tokens').set(admin()).send({ name: 7, role: 'root', extra: true });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    const pointers = res.body.error.details.errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/name', '/role', '/extra']));
  });

  it('refuses garbage ids and role/host mismatches', async () => {
    expect((await t.request.delete('/v1/tokens/not-a-uuid').set(admin())).status).toBe(400);
    const missing = await t.request.delete('/v1/tokens/00000000-0000-4000-8000-000000000000').set(admin());
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    const agentWithoutHost = await t.request
      .post('/v1/tokens')
      .set(admin())
      .send({ name: 'a', role: 'agent' });
    expect(agentWithoutHost.status).toBe(400);
    expect(agentWithoutHost.body.error.details.errors[0].pointer).toBe('/hostId');
    const viewerWithHost = await t.request
      .post('/v1/tokens')
      .set(admin())
      .send({ name: 'v', role: 'viewer', hostId: '00000000-0000-4000-8000-000000000000' });
    expect(viewerWithHost.status).toBe(400);
    const unknownHost = await t.request
      .post('/v1/tokens')
      .set(admin())
      .send({ name: 'a', role: 'agent', hostId: '00000000-0000-4000-8000-000000000000' });
    expect(unknownHost.status).toBe(404);
    for (const name of ['', 'x'.repeat(101), 'tab\there']) {
      const res = await t.request.post('/v1/tokens').set(admin()).send({ name, role: 'viewer' });
      expect(res.status, JSON.stringify(name)).toBe(400);
    }
  });

  it('revoking twice answers the revoked token both times', async () => {
    const created = await t.request.post('/v1/tokens').set(admin()).send({ name: 'twice', role: 'viewer' });
    const first = await t.request.delete(`/v1/tokens/${created.body.id}`).set(admin());
    const second = await t.request.delete(`/v1/tokens/${created.body.id}`).set(admin());
    expect(second.status).toBe(200);
    expect(second.body.revokedAt).toBe(first.body.revokedAt);
    const listed = await t.request.get('/v1/tokens').set(admin());
    expect(listed.body.items.map((i: { id: string }) => i.id)).not.toContain(created.body.id);
    const all = await t.request.get('/v1/tokens?includeRevoked=true').set(admin());
    expect(all.body.items.map((i: { id: string }) => i.id)).toContain(created.body.id);
  });

  it('lists tokens oldest first in keyset pages, revoked ones when asked, and refuses bad paging', async () => {
    const made: string[] = [];
    for (let i = 0; i < 7; i++)
      made.push(
        (
          await t.request
            .post('/v1/tokens')
            .set(admin())
            .send({ name: `page-${i}`, role: 'viewer' })
        ).body.id,
      );
    await t.request.delete(`/v1/tokens/${made[3]}`).set(admin());
    async function pages(query: string): Promise<string[]> {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const more: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
        const page = await t.request.get(`/v1/tokens?limit=3${query}${more}`).set(admin());
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(3);
        ids.push(...page.body.items.map((i: { id: string }) => i.id));
        cursor = page.body.nextCursor;
      } while (cursor !== null);
      return ids;
    }
    const active = await pages('');
    const all = await pages('&includeRevoked=true');
    expect(new Set(all).size).toBe(all.length);
    // Made within microseconds of each other, they still come in creation order, each once.
    expect(all.filter((id) => made.includes(id))).toEqual(made);
    expect(active.filter((id) => made.includes(id))).toEqual(made.filter((_, i) => i !== 3));
    expect(
      (await t.request.get('/v1/tokens?includeRevoked=true&limit=1000').set(admin())).body.items.map(
        (i: { id: string }) => i.id,
      ),
    ).toEqual(all);

    for (const query of ['limit=0', 'limit=x', 'includeRevoked=yes']) {
      const bad = await t.request.get(`/v1/tokens?${query}`).set(admin());
      expect(bad.status, query).toBe(400);
    }
    for (const key of [{ us: 1, id: 'not-a-uuid' }, { us: 'x', id: made[0] }, { name: 'a' }]) {
      const cursor = Buffer.from(JSON.stringify(key)).toString('base64url');
      const bad = await t.request.get(`/v1/tokens?cursor=${cursor}`).set(admin());
      expect(bad.status, JSON.stringify(key)).toBe(400);
      expect(bad.body.error.code).toBe('invalid_cursor');
    }
  });
});
