import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecurityEvent } from '@sandtrap/events';
import { ndjson, seccompEvent } from './fixtures/ingest/security-events.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** `2026-11-29T08:00:00.123456Z`: microseconds, as the kernel and the sensors give them. */
const micro = (ms: number, us: number) =>
  new Date(ms).toISOString().replace('Z', `${String(us).padStart(3, '0')}Z`);

/**
 * Issue 7, fault 3: the agent's clock is off. Events carry the time the host saw them
 * (observedAt), the service stamps when it received them (ingested_at), and the accepted window
 * is the service's: up to one day ahead of its own clock, back to the retention.
 */
describe('faults: clock skew between agent and service', () => {
  let t: TestApp;
  let db: pg.Pool;
  let agentToken: string;
  let viewer: string;
  const host = 'skewed-host';
  const now = Date.now();

  /** Skews inside the window, behind and ahead of the service's clock. */
  const inside: Array<[string, number]> = [
    ['behind 20 h', -20 * HOUR],
    ['behind 2 h', -2 * HOUR],
    ['behind 5 min', -5 * MINUTE],
    ['ahead 5 min', 5 * MINUTE],
    ['ahead 2 h', 2 * HOUR],
    ['ahead 23 h 58 min', DAY - 2 * MINUTE],
  ];
  /** Past the window: refused, each with its reason. */
  const outside: Array<[string, number, string]> = [
    ['ahead 24 h 2 min', DAY + 2 * MINUTE, 'in_future'],
    ['ahead 7 days', 7 * DAY, 'in_future'],
    ['ahead 1 year', 365 * DAY, 'in_future'],
    ['behind 40 days', -40 * DAY, 'too_old'],
  ];
  const events: SecurityEvent[] = [...inside, ...outside].map(([name, skew], i) =>
    seccompEvent(i, { host, eventKey: `skew:${name}`, observedAt: micro(now + skew, 100 + i) }),
  );

  beforeAll(async () => {
    t = await startTestApp();
    agentToken = await t.tokenFor('agent', { hostname: host });
    viewer = await t.tokenFor('viewer');
    db = new pg.Pool({ connectionString: t.databaseUrl, max: 1 });
  });
  afterAll(async () => {
    await db?.end();
    await t?.close();
  });

  const get = (path: string, query: Record<string, string | number> = {}) =>
    t.request.get(path).query(query).set('authorization', `Bearer ${viewer}`);
  const at = (skew: number) => new Date(now + skew).toISOString();

  it('stores events inside the window with observedAt as sent and ingested_at as received; refuses the rest by name', async () => {
    const dbNow = async () => (await db.query<{ t: Date }>('SELECT clock_timestamp() AS t')).rows[0].t;
    const before = await dbNow();
    const res = await t.request
      .post('/v1/ingest/events')
      .set('authorization', `Bearer ${agentToken}`)
      .set('content-type', 'application/x-ndjson')
      .send(ndjson(events));
    const after = await dbNow();
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: inside.length, duplicates: 0, rejected: outside.length });
    expect(res.body.errors).toEqual(
      outside.map(([, , code], k) => ({
        index: inside.length + k,
        line: inside.length + k + 1,
        code,
        message: expect.stringContaining(events[inside.length + k].observedAt),
      })),
    );
    expect(res.body.errors[0].message).toContain('more than one day in the future');

    const { rows } = await db.query<{ event_key: string; observed: string; ingested_at: Date }>(
      `SELECT event_key, to_char(observed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS observed, ingested_at
       FROM violations ORDER BY observed_at`,
    );
    expect(rows.map((r) => [r.event_key, r.observed])).toEqual(
      events.slice(0, inside.length).map((e) => [e.eventKey, e.observedAt]),
    );
    for (const r of rows) {
      // Stamped by the service when it stored the batch, whatever the agent's clock said.
      expect(r.ingested_at.getTime()).toBeGreaterThanOrEqual(before.getTime());
      expect(r.ingested_at.getTime()).toBeLessThanOrEqual(after.getTime());
    }
    // The API answers the time as sent, to the microsecond.
    const page = await get('/v1/violations', { host, limit: 100 });
    expect(page.status).toBe(200);
    expect(new Set(page.body.items.map((e: SecurityEvent) => e.observedAt))).toEqual(
      new Set(events.slice(0, inside.length).map((e) => e.observedAt)),
    );
    // Operators see the refusals by reason (a skewed agent shows up as in_future).
    const metrics = (await t.request.get('/metrics')).text;
    expect(metrics).toMatch(/sandtrap_ingest_events_rejected_total\{[^}]*reason="in_future"[^}]*\} 3\n/);
    expect(metrics).toMatch(/sandtrap_ingest_events_rejected_total\{[^}]*reason="too_old"[^}]*\} 1\n/);
  });

  it('finds them by time range on observedAt, ahead of the service clock too', async () => {
    const list = async (from: string, to: string) =>
      ((await get('/v1/violations', { host, from, to, limit: 100 })).body.items as SecurityEvent[])
        .map((e) => e.eventKey)
        .sort();
    const keys = (names: string[]) => names.map((n) => `skew:${n}`).sort();

    expect(await list(at(-DAY), at(0))).toEqual(keys(['behind 20 h', 'behind 2 h', 'behind 5 min']));
    expect(await list(at(0), at(DAY))).toEqual(keys(['ahead 5 min', 'ahead 2 h', 'ahead 23 h 58 min']));
    expect(await list(at(HOUR), at(3 * HOUR))).toEqual(keys(['ahead 2 h']));
    expect(await list(at(-3 * HOUR), at(-HOUR))).toEqual(keys(['behind 2 h']));

    // Stats and timeseries default to the last 24 hours of the service's clock: events of an
    // agent whose clock is ahead show up there only once their time has come, or with `to`.
    const total = async (query: Record<string, string>) =>
      (
        (await get('/v1/violations/stats', { groupBy: 'host', ...query })).body.groups as Array<{
          count: number;
        }>
      )
        .map((g) => g.count)
        .reduce((a, b) => a + b, 0);
    expect(await total({})).toBe(3);
    expect(await total({ from: at(-DAY), to: at(DAY) })).toBe(6);
    const series = await get('/v1/violations/timeseries', { interval: '1h', from: at(-DAY), to: at(DAY) });
    expect(series.status).toBe(200);
    const perBucket = (series.body.buckets as Array<{ start: string; counts: Record<string, number> }>)
      .map((b) => ({ start: Date.parse(b.start), n: Object.values(b.counts).reduce((a, c) => a + c, 0) }))
      .filter((b) => b.n > 0);
    expect(perBucket.reduce((a, b) => a + b.n, 0)).toBe(6);
    for (const [, skew] of inside) {
      const bucket = Math.floor((now + skew) / HOUR) * HOUR;
      expect(perBucket.map((b) => b.start)).toContain(bucket);
    }
  });

  it('takes raw audit lines from a host whose clock is ahead, inside the window only', async () => {
    const stamp = (skew: number, serial: number) => {
      const ms = now + skew;
      return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}:${serial}`;
    };
    const line = (skew: number, serial: number) =>
      `type=SECCOMP msg=audit(${stamp(skew, serial)}): auid=1000 uid=1000 gid=1000 ses=3 pid=4242 comm="probe" exe="/usr/bin/probe" sig=0 arch=c000003e syscall=101 compat=0 ip=0x7f0000001000 code=0x50001`;
    const body = [line(3 * HOUR, 7001), line(30 * HOUR, 7002), line(-HOUR, 7003)].join('\n') + '\n';
    const send = () =>
      t.request
        .post('/v1/ingest/audit')
        .set('authorization', `Bearer ${agentToken}`)
        .set('content-type', 'text/plain')
        .send(body);
    const res = await send();
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: 2, duplicates: 0, rejected: 1 });
    expect(res.body.errors).toEqual([expect.objectContaining({ line: 2, code: 'in_future' })]);
    // The same lines again (an agent resending after a lost answer): nothing new.
    expect((await send()).body).toMatchObject({ accepted: 0, duplicates: 2, rejected: 1 });
    const ahead = await get('/v1/violations', {
      host,
      source: 'auditd',
      from: at(2 * HOUR),
      to: at(4 * HOUR),
    });
    expect(ahead.body.items).toHaveLength(1);
    expect(Date.parse(ahead.body.items[0].observedAt)).toBe(
      Math.floor(now / 1000) * 1000 + 3 * HOUR + (now % 1000),
    );
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM violations WHERE source = 'auditd'`,
    );
    expect(Number(rows[0].n)).toBe(2);
  });
});
