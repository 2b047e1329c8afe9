import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventAction, SecurityEvent } from '@sandtrap/events';
import { ndjson, seccompEvent } from './fixtures/ingest/security-events.js';
import { startTestApp } from './support/test-app.js';

type TestApp = Awaited<ReturnType<typeof startTestApp>>;

const ACTIONS: EventAction[] = ['kill_process', 'errno', 'log', 'trap'];
const MINUTE = 60_000;
/** A whole hour, two to three hours ago, so that every event is inside retention and the range tests. */
const T0 = Math.floor((Date.now() - 2 * 3_600_000) / (60 * MINUTE)) * 60 * MINUTE;
const SAME_TIME = new Date(T0 + 30_000).toISOString().replace('Z', '500Z');

/** 3,000 events sharing one timestamp (keyset ties), and 900 spread over 15 minutes. */
function corpus(): SecurityEvent[] {
  const tied = Array.from({ length: 3000 }, (_, i) =>
    seccompEvent(i, { eventKey: `tie:${i}`, observedAt: SAME_TIME, host: `qh${i % 3}` }),
  );
  const spread = Array.from({ length: 900 }, (_, i) => {
    const action = ACTIONS[i % 4];
    return seccompEvent(i, {
      eventKey: `spread:${i}`,
      observedAt: new Date(T0 + i * 1000 + 250).toISOString().replace('Z', '000Z'),
      host: `qh${i % 3}`,
      source: i % 5 ? 'kmsg' : 'auditd',
      action,
      blocked: action !== 'log',
      syscall: { arch: 'x86_64', nr: i % 2 ? 101 : 165, name: i % 2 ? 'ptrace' : 'mount' },
      process: { pid: i, comm: i % 3 ? 'nginx' : 'bash', exe: `/bin/e${i % 4}` },
      container: i % 2 ? { id: `ctr${i % 6}`, pod: `pod${i % 2}`, namespace: 'prod' } : undefined,
      policy: i % 10 ? undefined : 'strict',
    });
  });
  return [...tied, ...spread];
}

describe('GET /v1/violations, /stats, /timeseries', () => {
  let t: TestApp;
  let viewer: string;
  const all = corpus();
  const spread = all.filter((e) => e.eventKey.startsWith('spread:'));

  beforeAll(async () => {
    t = await startTestApp();
    const ingest = await t.tokenFor('ingest');
    for (let i = 0; i < all.length; i += 1000) {
      const res = await t.request
        .post('/v1/ingest/events')
        .set('authorization', `Bearer ${ingest}`)
        .set('content-type', 'application/x-ndjson')
        .send(ndjson(all.slice(i, i + 1000)));
      expect(res.body).toMatchObject({ accepted: Math.min(1000, all.length - i), rejected: 0 });
    }
    viewer = await t.tokenFor('viewer');
  });
  afterAll(() => t?.close());

  const get = (path: string, query: Record<string, string | number> = {}) =>
    t.request.get(path).query(query).set('authorization', `Bearer ${viewer}`);

  it('pages through thousands of equal timestamps with no gaps or repeats', async () => {
    const keys: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get('/v1/violations', {
        from: SAME_TIME,
        to: new Date(T0 + 31_000).toISOString(),
        limit: 700,
        ...(cursor ? { cursor } : {}),
      });
      expect(res.status).toBe(200);
      keys.push(...res.body.items.map((e: SecurityEvent) => e.eventKey));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(5);
    expect(keys.length).toBe(3001); // 3,000 ties plus spread:30 at T0+30.25 s
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('answers newest first, with every field of the event', async () => {
    const res = await get('/v1/violations', { limit: 1 });
    expect(res.body.items[0]).toEqual(spread[spread.length - 1]);
  });

  it('applies each filter', async () => {
    const expectCount = async (query: Record<string, string>, p: (e: SecurityEvent) => boolean) => {
      const res = await get('/v1/violations', {
        limit: 1000,
        from: new Date(T0 + 31_000).toISOString(),
        ...query,
      });
      expect(res.status, JSON.stringify(query)).toBe(200);
      const want = spread.filter((e) => Date.parse(e.observedAt) >= T0 + 31_000 && p(e)).length;
      expect(res.body.items.length, JSON.stringify(query)).toBe(want);
      expect(want).toBeGreaterThan(0);
    };
    await expectCount({ host: 'qh1' }, (e) => e.host === 'qh1');
    await expectCount({ host: 'qh0,qh2' }, (e) => e.host !== 'qh1');
    await expectCount({ syscall: 'mount' }, (e) => e.syscall?.name === 'mount');
    await expectCount({ action: 'log,trap' }, (e) => e.action === 'log' || e.action === 'trap');
    await expectCount({ blocked: 'false' }, (e) => !e.blocked);
    await expectCount({ exe: '/bin/e3' }, (e) => e.process?.exe === '/bin/e3');
    await expectCount({ comm: 'bash' }, (e) => e.process?.comm === 'bash');
    await expectCount({ container: 'ctr3' }, (e) => e.container?.id === 'ctr3');
    await expectCount({ pod: 'pod1', namespace: 'prod' }, (e) => e.container?.pod === 'pod1');
    await expectCount({ source: 'auditd' }, (e) => e.source === 'auditd');
    await expectCount({ policy: 'strict' }, (e) => e.policy === 'strict');
    await expectCount(
      { to: new Date(T0 + 100_000).toISOString() },
      (e) => Date.parse(e.observedAt) < T0 + 100_000,
    );
  });

  it('answers stats whose totals match the rows, from the rollup and the edges', async () => {
    const from = new Date(T0 + 45_500).toISOString();
    const to = new Date(T0 + 605_700).toISOString();
    const inRange = all.filter((e) => e.observedAt >= from && e.observedAt < to);
    for (const groupBy of ['syscall', 'host', 'action', 'exe', 'container', 'source']) {
      const res = await get('/v1/violations/stats', { groupBy, from, to, limit: 1000 });
      expect(res.status).toBe(200);
      const total = res.body.groups.reduce((s: number, g: { count: number }) => s + g.count, 0);
      expect(total, groupBy).toBe(inRange.length);
    }
    const byAction = await get('/v1/violations/stats', { groupBy: 'action', from, to, comm: 'bash' });
    const bash = inRange.filter((e) => e.process?.comm === 'bash');
    expect(byAction.body.groups.find((g: { key: string }) => g.key === 'errno').count).toBe(
      bash.filter((e) => e.action === 'errno').length,
    );
  });

  it('answers timeseries whose buckets add up to the rows', async () => {
    const from = new Date(T0).toISOString();
    const to = new Date(T0 + 15 * MINUTE).toISOString();
    const res = await get('/v1/violations/timeseries', { interval: '5m', from, to });
    expect(res.status).toBe(200);
    expect(res.body.buckets).toHaveLength(3);
    const firstBucket = all.filter((e) => Date.parse(e.observedAt) < T0 + 5 * MINUTE);
    expect(res.body.buckets[0].counts.kill_process).toBe(
      firstBucket.filter((e) => e.action === 'kill_process').length,
    );
    const total = res.body.buckets.reduce(
      (s: number, b: { counts: Record<string, number> }) =>
        s + Object.values(b.counts).reduce((a, n) => a + n, 0),
      0,
    );
    expect(total).toBe(all.length);
  });

  it('ends the default range at the end of the current minute: 1440 whole minutes, events of now counted', async () => {
    const ingest = await t.tokenFor('ingest');
    const now = [0, 1, 2].map((i) =>
      seccompEvent(i, { eventKey: `now:${i}`, observedAt: new Date().toISOString(), host: 'qh-now' }),
    );
    const sent = await t.request
      .post('/v1/ingest/events')
      .set('authorization', `Bearer ${ingest}`)
      .set('content-type', 'application/x-ndjson')
      .send(ndjson(now));
    expect(sent.body).toMatchObject({ accepted: 3 });

    const before = Math.floor(Date.now() / MINUTE) * MINUTE;
    const series = await get('/v1/violations/timeseries', { interval: '1m', host: 'qh-now' });
    const after = Math.floor(Date.now() / MINUTE) * MINUTE;
    expect(series.status).toBe(200);
    expect(series.body.buckets).toHaveLength(1440);
    expect([before, after]).toContain(Date.parse(series.body.buckets.at(-1).start));
    const counted = series.body.buckets.reduce(
      (s: number, b: { counts: Record<string, number> }) => s + (b.counts.kill_process ?? 0),
      0,
    );
    expect(counted).toBe(3);
    const stats = await get('/v1/violations/stats', { groupBy: 'host', host: 'qh-now' });
    expect(stats.body.groups).toEqual([{ key: 'qh-now', count: 3 }]);
  });

  it('refuses bad parameters with 400 naming them', async () => {
    const cases: Array<[string, Record<string, string>, string]> = [
      ['/v1/violations', { limit: '1001' }, '/limit'],
      ['/v1/violations', { cursor: 'bm9wZQ' }, '/cursor'],
      ['/v1/violations', { action: 'nuke' }, '/action'],
      ['/v1/violations', { from: "2026-01-01'; --" }, '/from'],
      ['/v1/violations/stats', { groupBy: 'cmdline' }, '/groupBy'],
      ['/v1/violations/timeseries', { interval: '7m' }, '/interval'],
      [
        '/v1/violations/timeseries',
        { interval: '1m', from: '2026-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z' },
        '/from',
      ],
    ];
    for (const [path, query, pointer] of cases) {
      const res = await get(path, query);
      expect(res.status, `${path} ${JSON.stringify(query)}`).toBe(400);
      expect(res.body.error.details.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
    }
    const capped = await get('/v1/violations/timeseries', {
      interval: '1m',
      from: '2026-01-01T00:00:00Z',
      to: '2026-03-01T00:00:00Z',
    });
    expect(capped.body.error.details.errors[0].message).toContain('31 days');
  });

  it('is closed to ingest tokens', async () => {
    const ingest = await t.tokenFor('ingest');
    expect((await t.request.get('/v1/violations').set('authorization', `Bearer ${ingest}`)).status).toBe(403);
  });
});
