import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestEvents, foldRollupDeltas, type GroupWritten } from '@sandtrap/api';
import { gzipNdjson, seccompEvent } from './fixtures/ingest/security-events.js';
import { startTestApp } from './support/test-app.js';

type TestApp = Awaited<ReturnType<typeof startTestApp>>;

const ROLLUP_TABLES = [
  'violation_counts',
  'violation_counts_5m',
  'violation_counts_1h',
  'violation_actions_1m',
  'violation_actions_5m',
  'violation_actions_1h',
];

/**
 * Many agents sending at once: the service writes requests that arrive while it is busy together
 * (group commit). Each request must still get its own exact answer, and the tables must hold
 * every event once, with rollups that agree.
 */
describe('ingest under concurrent requests (group commit)', () => {
  let t: TestApp;
  let db: pg.Pool;
  let token: string;
  const groups: GroupWritten[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    db = new pg.Pool({ connectionString: t.databaseUrl, max: 2 });
    token = await t.tokenFor('ingest');
    t.app.get(IngestEvents).onGroupWritten((g) => groups.push(g));
  });
  afterAll(async () => {
    await db?.end();
    await t?.close();
  });

  const post = (events: unknown[]) =>
    t.request
      .post('/v1/ingest/events')
      .set('authorization', `Bearer ${token}`)
      .set('content-type', 'application/x-ndjson')
      .set('content-encoding', 'gzip')
      .send(gzipNdjson(events));
  const count = async (sql: string) => Number((await db.query(sql)).rows[0].n);

  it('answers 120 simultaneous requests of 60 hosts exactly, sharing transactions, each event stored once', async () => {
    // Host h sends two requests at once; the second repeats 5 of the first's 20 events, as an
    // agent resending a batch whose answer it lost would (the same objects: same key and time).
    const hosts = Array.from({ length: 60 }, (_, h) => `group-host-${h}`);
    const requests = hosts.flatMap((host, h) => {
      const first = Array.from({ length: 20 }, (_, i) => seccompEvent(h * 1000 + i, { host }));
      const fresh = Array.from({ length: 15 }, (_, i) => seccompEvent(h * 1000 + 100 + i, { host }));
      return [first, [...first.slice(0, 5), ...fresh]];
    });
    const answers = await Promise.all(requests.map((r) => post(r)));

    expect(answers.map((a) => a.status)).toEqual(requests.map(() => 202));
    for (const [k, a] of answers.entries()) {
      expect(a.body.accepted + a.body.duplicates, `request ${k}`).toBe(20);
      expect(a.body.rejected).toBe(0);
    }
    expect(answers.reduce((n, a) => n + a.body.accepted, 0)).toBe(60 * 35);
    expect(answers.reduce((n, a) => n + a.body.duplicates, 0)).toBe(60 * 5);
    // Each repeated event was new for exactly one of its host's two requests.
    for (let h = 0; h < 60; h++) {
      expect(answers[2 * h].body.accepted + answers[2 * h + 1].body.accepted, hosts[h]).toBe(35);
    }

    expect(await count('SELECT count(*) AS n FROM violations')).toBe(60 * 35);
    expect(await count('SELECT count(DISTINCT (host_id, event_key, observed_at)) AS n FROM violations')).toBe(
      60 * 35,
    );
    expect(await count('SELECT count(*) AS n FROM hosts')).toBe(60);
    await foldRollupDeltas(db);
    for (const table of ROLLUP_TABLES) {
      expect(await count(`SELECT coalesce(sum(count), 0) AS n FROM ${table}`), table).toBe(60 * 35);
    }

    // Written in fewer transactions than requests, and every request in exactly one of them.
    expect(groups.reduce((n, g) => n + g.requests, 0)).toBe(120);
    expect(groups.length).toBeLessThan(120);
    expect(Math.max(...groups.map((g) => g.requests))).toBeGreaterThan(1);
  });

  it('stores an event sent by three requests at once once, and counts requests per transaction in /metrics', async () => {
    const events = Array.from({ length: 10 }, (_, i) => seccompEvent(50_000 + i, { host: 'group-host-0' }));
    const before = await count('SELECT count(*) AS n FROM violations');
    const answers = await Promise.all([post(events), post(events), post(events)]);
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    expect(answers.reduce((n, a) => n + a.body.accepted, 0)).toBe(10);
    expect(answers.reduce((n, a) => n + a.body.duplicates, 0)).toBe(20);
    expect(await count('SELECT count(*) AS n FROM violations')).toBe(before + 10);

    const text = (await t.request.get('/metrics')).text;
    const requests = Number(/^sandtrap_ingest_commit_requests_sum (\d+)/m.exec(text)?.[1]);
    const transactions = Number(/^sandtrap_ingest_commit_requests_count (\d+)/m.exec(text)?.[1]);
    expect(requests).toBe(123);
    expect(transactions).toBe(groups.length);
    expect(transactions).toBeLessThan(requests);
  });
});
