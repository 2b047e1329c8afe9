import pg from 'pg';
import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

const stats = {
  eventsRead: 10,
  eventsShipped: 9,
  eventsDropped: 1,
  spoolDepth: 0,
  spoolBytes: 0,
  lostKernelRecords: 0,
};

describe('hosts API', () => {
  let t: TestApp;
  let ingest: string;
  let operator: string;
  let viewer: string;
  beforeAll(async () => {
    t = await startTestApp();
    [ingest, operator, viewer] = await Promise.all([
      t.tokenFor('ingest'),
      t.tokenFor('operator'),
      t.tokenFor('viewer'),
    ]);
  });
  afterAll(() => t?.close());

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  async function enroll(hostname: string, extra: Record<string, unknown> = {}) {
    const res = await t.request
      .post('/v1/hosts/enroll')
      .set(bearer(ingest))
      .send({ hostname, ...extra });
    expect(res.status).toBe(201);
    return res.body as { hostId: string; hostname: string; token: string };
  }

  it('enrolls a host, which then heartbeats with its agent token and shows as reporting', async () => {
    const e = await enroll('web-1', {
      kernel: '6.8.0',
      arch: 'x86_64',
      labels: { env: 'prod' },
      agentVersion: '0.1.0',
    });
    expect(e.hostname).toBe('web-1');
    expect(e.token).toMatch(/^st_/);
    const hb = await t.request
      .post(`/v1/hosts/${e.hostId}/heartbeat`)
      .set(bearer(e.token))
      .send({
        agentVersion: '0.1.1',
        stats: { ...stats, lastError: 'none', sources: { kmsg: { lines: 3 } } },
      });
    expect(hb.status).toBe(204);

    const list = await t.request.get('/v1/hosts').set(bearer(viewer));
    expect(list.status).toBe(200);
    const host = list.body.items.find((h: { id: string }) => h.id === e.hostId);
    expect(host).toMatchObject({
      name: 'web-1',
      labels: { env: 'prod' },
      kernel: '6.8.0',
      arch: 'x86_64',
      agentVersion: '0.1.1',
      state: 'reporting',
      health: { eventsRead: 10, eventsDropped: 1, sources: { kmsg: { lines: 3 } } },
    });
    expect(host.lastHeartbeat).not.toBeNull();
  });

  it('shows a host without heartbeat or event for 5 minutes as silent', async () => {
    const e = await enroll('quiet-1');
    const c = new pg.Client({ connectionString: t.databaseUrl });
    await c.connect();
    await c.query(`UPDATE hosts SET last_seen = now() - interval '6 minutes' WHERE id = $1`, [e.hostId]);
    await c.end();
    const res = await t.request.get(`/v1/hosts/${e.hostId}`).set(bearer(viewer));
    expect(res.body.state).toBe('silent');
  });

  it('keeps an agent to its own host', async () => {
    const a = await enroll('own-a');
    const b = await enroll('own-b');
    const hb = await t.request.post(`/v1/hosts/${b.hostId}/heartbeat`).set(bearer(a.token)).send({ stats });
    expect(hb.status).toBe(403);
    expect(hb.body.error.code).toBe('forbidden');
    expect((await t.request.get(`/v1/hosts/${b.hostId}/assignments`).set(bearer(a.token))).status).toBe(403);
    expect((await t.request.get(`/v1/hosts/${a.hostId}/assignments`).set(bearer(a.token))).body).toEqual({
      items: [],
    });
    const status = await t.request
      .post(`/v1/hosts/${a.hostId}/status`)
      .set(bearer(a.token))
      .send({ profiles: [{ policy: 'nginx', sha256: 'a'.repeat(64), path: '/var/lib/x.json' }] });
    expect(status.status).toBe(204);
    // An agent cannot list the fleet nor read violations-like views.
    expect((await t.request.get('/v1/hosts').set(bearer(a.token))).status).toBe(403);
  });

  it('re-enrolling revokes the previous agent token of the host, keeping operator labels', async () => {
    const first = await enroll('re-1', { labels: { env: 'dev', zone: 'a' } });
    await t.request
      .patch(`/v1/hosts/${first.hostId}`)
      .set(bearer(operator))
      .send({ labels: { env: 'prod' } })
      .expect(200);
    const second = await enroll('re-1', { labels: { env: 'dev', rack: '7' } });
    expect(second.hostId).toBe(first.hostId);
    const old = await t.request
      .post(`/v1/hosts/${first.hostId}/heartbeat`)
      .set(bearer(first.token))
      .send({ stats });
    expect(old.status).toBe(401);
    const fresh = await t.request
      .post(`/v1/hosts/${first.hostId}/heartbeat`)
      .set(bearer(second.token))
      .send({ stats });
    expect(fresh.status).toBe(204);
    const host = await t.request.get(`/v1/hosts/${first.hostId}`).set(bearer(viewer));
    expect(host.body.labels).toEqual({ env: 'prod', rack: '7' });
  });

  it('replaces labels (operator), records the change, and refuses bad labels by pointer', async () => {
    const e = await enroll('lab-1');
    const ok = await t.request
      .patch(`/v1/hosts/${e.hostId}`)
      .set(bearer(operator))
      .send({ labels: { team: 'edge' } });
    expect(ok.status).toBe(200);
    expect(ok.body.labels).toEqual({ team: 'edge' });
    const log = await t.request
      .get(`/v1/audit-log?targetType=host&targetId=${e.hostId}&action=host.labels`)
      .set(bearer(operator));
    expect(log.body.items[0]).toMatchObject({ before: { labels: {} }, after: { labels: { team: 'edge' } } });

    for (const labels of [{ 'bad key': 'x' }, { k: 7 }, ['a'], 'x', null]) {
      const bad = await t.request.patch(`/v1/hosts/${e.hostId}`).set(bearer(operator)).send({ labels });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details.errors[0].pointer).toBe('/labels');
    }
    expect(
      (await t.request.patch(`/v1/hosts/${e.hostId}`).set(bearer(viewer)).send({ labels: {} })).status,
    ).toBe(403);
  });

  it('answers 404 for an unknown host and 400 for a malformed id', async () => {
    const unknown = await t.request.get('/v1/hosts/00000000-0000-4000-8000-000000000000').set(bearer(viewer));
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    const bad = await t.request.get('/v1/hosts/not-a-uuid').set(bearer(viewer));
    expect(bad.status).toBe(400);
  });

  it('refuses garbage enrollments and heartbeats with pointers', async () => {
    const cases: Array<[unknown, string]> = [
      [{ hostname: '' }, '/hostname'],
      [{ hostname: '-bad' }, '/hostname'],
      [{ hostname: 'a b' }, '/hostname'],
      [{ hostname: 'ok', labels: { '': 'x' } }, '/labels'],
      [{ hostname: 'ok', surprise: 1 }, '/surprise'],
    ];
    for (const [body, pointer] of cases) {
      const res = await t.request
        .post('/v1/hosts/enroll')
        .set(bearer(ingest))
        .send(body as object);
      expect(res.status).toBe(400);
      expect(res.body.error.details.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
    }
    const e = await enroll('hb-garbage');
    const res = await t.request
      .post(`/v1/hosts/${e.hostId}/heartbeat`)
      .set(bearer(e.token))
      .send({ stats: { ...stats, eventsRead: -1, spoolDepth: 'x' } });
    expect(res.status).toBe(400);
    expect(res.body.error.details.errors.map((x: { pointer: string }) => x.pointer)).toEqual(
      expect.arrayContaining(['/stats/eventsRead', '/stats/spoolDepth']),
    );
  });
  it('retires a host (operator): kept with its events, out of the list and the silent gauge, audited', async () => {
    const e = await enroll('retire-1', { labels: { env: 'retire' } });
    const events = [0, 1].map((i) => ({
      eventKey: `retire-1:${i}`,
      observedAt: new Date(Date.now() - 60_000 + i).toISOString(),
      host: 'retire-1',
      source: 'kmsg',
      kind: 'seccomp',
      action: 'kill_process',
      blocked: true,
    }));
    const ingested = await t.request
      .post('/v1/ingest/events')
      .set(bearer(e.token))
      .type('application/x-ndjson')
      .send(events.map((x) => JSON.stringify(x)).join('\n'));
    expect(ingested.body.accepted).toBe(2);
    const c = new pg.Client({ connectionString: t.databaseUrl });
    await c.connect();
    // Silent, as a decommissioned host is.
    await c.query(
      `UPDATE hosts SET last_seen = now() - interval '1 hour', last_heartbeat = NULL WHERE id = $1`,
      [e.hostId],
    );
    const silentGauge = async () => {
      const text = (await t.request.get('/metrics')).text;
      return Number(/^sandtrap_hosts\{state="silent"\} (\d+)$/m.exec(text)?.[1]);
    };
    const silentBefore = await silentGauge();

    expect((await t.request.delete(`/v1/hosts/${e.hostId}`).set(bearer(viewer))).status).toBe(403);
    const retired = await t.request.delete(`/v1/hosts/${e.hostId}`).set(bearer(operator));
    expect(retired.status).toBe(200);
    expect(retired.body).toMatchObject({
      id: e.hostId,
      name: 'retire-1',
      retiredBy: expect.stringContaining('operator'),
    });
    expect(Date.parse(retired.body.retiredAt)).toBeGreaterThan(Date.now() - 60_000);
    // Again: nothing changes, nothing more is audited.
    const again = await t.request.delete(`/v1/hosts/${e.hostId}`).set(bearer(operator));
    expect(again.status).toBe(200);
    expect(again.body.retiredAt).toBe(retired.body.retiredAt);

    expect(await silentGauge()).toBe(silentBefore - 1);
    const listed = async (qs: string) =>
      (await t.request.get(`/v1/hosts?label=env%3Dretire&${qs}`).set(bearer(viewer))).body.items.map(
        (h: { name: string }) => h.name,
      );
    expect(await listed('')).toEqual([]);
    expect(await listed('retired=include')).toEqual(['retire-1']);
    expect(await listed('retired=only')).toEqual(['retire-1']);
    expect((await t.request.get(`/v1/hosts/${e.hostId}`).set(bearer(viewer))).body.retiredAt).toBe(
      retired.body.retiredAt,
    );
    // Its events stay; its agent token is revoked.
    const stored = await t.request.get('/v1/violations?host=retire-1').set(bearer(viewer));
    expect(stored.body.items.map((x: { eventKey: string }) => x.eventKey).sort()).toEqual([
      'retire-1:0',
      'retire-1:1',
    ]);
    const hb = await t.request.post(`/v1/hosts/${e.hostId}/heartbeat`).set(bearer(e.token)).send({ stats });
    expect(hb.status).toBe(401);
    const log = await t.request
      .get(`/v1/audit-log?targetType=host&targetId=${e.hostId}&action=host.retire`)
      .set(bearer(operator));
    expect(log.body.items).toHaveLength(1);
    expect(log.body.items[0]).toMatchObject({
      actor: retired.body.retiredBy,
      before: { retiredAt: null },
      after: { retiredAt: retired.body.retiredAt },
    });

    // Enrolling the name again brings it back into the fleet.
    const back = await enroll('retire-1');
    expect(back.hostId).toBe(e.hostId);
    expect(await listed('')).toEqual(['retire-1']);
    await c.end();
  });

  it('answers 404 when retiring an unknown host and 400 for a malformed id', async () => {
    const unknown = await t.request
      .delete('/v1/hosts/00000000-0000-4000-8000-000000000000')
      .set(bearer(operator));
    expect(unknown.status).toBe(404);
    expect((await t.request.delete('/v1/hosts/nope').set(bearer(operator))).status).toBe(400);
  });

  describe('GET /v1/hosts paging and filters', () => {
    let db: pg.Client;
    beforeAll(async () => {
      db = new pg.Client({ connectionString: t.databaseUrl });
      await db.connect();
      // 1,500 hosts straight into the table (enrolling each over HTTP would only slow the suite):
      // labels alternate, last seen spread over the past 1,500 minutes.
      await db.query(
        `INSERT INTO hosts (name, labels, last_seen)
         SELECT 'page-' || lpad(i::text, 4, '0'),
                jsonb_build_object('env', CASE WHEN i % 3 = 0 THEN 'prod' ELSE 'dev' END, 'rack', (i % 5)::text),
                now() - make_interval(mins => i)
         FROM generate_series(1, 1500) AS i`,
      );
    });
    afterAll(() => db?.end());

    async function walk(query: string, limit: number): Promise<{ names: string[]; pages: number }> {
      const names: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const qs: string = `${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const res: Response = await t.request.get(`/v1/hosts?${qs}`).set(bearer(viewer));
        expect(res.status, res.text).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(limit);
        names.push(...res.body.items.map((h: { name: string }) => h.name));
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor !== null && pages < 1000);
      return { names, pages };
    }
    const sqlNames = async (where: string, params: unknown[] = []) =>
      (
        await db.query<{ name: string }>(`SELECT name FROM hosts WHERE ${where} ORDER BY name`, params)
      ).rows.map((r) => r.name);

    it('walks the whole fleet in pages by name with no gap and no repeat', async () => {
      const all = await sqlNames('true');
      expect(all.length).toBeGreaterThan(1500);
      const { names, pages } = await walk('', 97);
      expect(names).toEqual(all);
      expect(new Set(names).size).toBe(names.length);
      expect(pages).toBe(Math.ceil(all.length / 97));
      // The default page is 100 hosts; 1000 is the most.
      const first = await t.request.get('/v1/hosts').set(bearer(viewer));
      expect(first.body.items).toHaveLength(100);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const big = await t.request.get('/v1/hosts?limit=1000').set(bearer(viewer));
      expect(big.body.items).toHaveLength(1000);
    });

    it('keeps going without repeats while hosts are added between pages', async () => {
      const seen: string[] = [];
      let res = await t.request.get('/v1/hosts?namePrefix=page-&limit=400').set(bearer(viewer));
      seen.push(...res.body.items.map((h: { name: string }) => h.name));
      // One before the cursor (not seen in this walk), one after it (seen once).
      await db.query(`INSERT INTO hosts (name) VALUES ('page-0000a'), ('page-9999')`);
      while (res.body.nextCursor) {
        res = await t.request
          .get(`/v1/hosts?namePrefix=page-&limit=400&cursor=${encodeURIComponent(res.body.nextCursor)}`)
          .set(bearer(viewer));
        seen.push(...res.body.items.map((h: { name: string }) => h.name));
      }
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toContain('page-9999');
      expect(seen).not.toContain('page-0000a');
      expect(seen).toHaveLength(1501);
    });

    it('filters by labels, name prefix and last seen, paging the same way', async () => {
      const prod = await walk('label=env%3Dprod', 50);
      expect(prod.names).toEqual(await sqlNames(`labels @> '{"env":"prod"}'`));
      const prodPages = await walk('label=env%3Dprod&namePrefix=page-', 50);
      expect(prodPages.names).toHaveLength(500);
      expect(prodPages.names).toEqual(prod.names.filter((n) => n.startsWith('page-')));
      const two = await walk('label=env%3Dprod,rack%3D0', 30);
      expect(two.names).toEqual(await sqlNames(`labels @> '{"env":"prod","rack":"0"}'`));
      expect(two.names).toHaveLength(100);
      const prefix = await walk('namePrefix=page-01', 40);
      expect(prefix.names).toEqual(await sqlNames(`name LIKE 'page-01%'`));
      expect(prefix.names).toHaveLength(100);
      // Seen in the last 100 minutes (page-0001 .. page-0099, plus the hosts of the other tests),
      // and silent for over 1,400 minutes (page-1401 .. page-1500).
      const since = new Date(Date.now() - 100 * 60_000 + 30_000).toISOString();
      const recent = await walk(`namePrefix=page-&seenAfter=${encodeURIComponent(since)}`, 25);
      expect(recent.names).toEqual(await sqlNames(`name LIKE 'page-%' AND last_seen >= $1`, [since]));
      expect(recent.names.length).toBeGreaterThanOrEqual(99);
      const before = new Date(Date.now() - 1400 * 60_000 - 30_000).toISOString();
      const old = await walk(`seenBefore=${encodeURIComponent(before)}`, 1000);
      expect(old.names).toEqual(await sqlNames(`greatest(last_seen, last_heartbeat) < $1`, [before]));
      expect(old.names).toHaveLength(100);
    });

    it('refuses bad paging and filter parameters by pointer', async () => {
      for (const [qs, pointer] of [
        ['limit=0', '/limit'],
        ['limit=1001', '/limit'],
        ['limit=x', '/limit'],
        ['label=env', '/label'],
        ['label=bad%20key%3Dx', '/label'],
        ['seenAfter=yesterday', '/seenAfter'],
        ['retired=maybe', '/retired'],
        ['surprise=1', '/surprise'],
      ]) {
        const res = await t.request.get(`/v1/hosts?${qs}`).set(bearer(viewer));
        expect(res.status, qs).toBe(400);
        expect(res.body.error.details.errors[0].pointer, qs).toBe(pointer);
      }
      const cursor = await t.request.get('/v1/hosts?cursor=not-ours').set(bearer(viewer));
      expect(cursor.status).toBe(400);
      expect(cursor.body.error.code).toBe('invalid_cursor');
    });
  });
});
