import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecurityEvent } from '@sandtrap/events';
import { IngestEvents, foldRollupDeltas, type BatchStored } from '@sandtrap/api';
import { gzipNdjson, nastyEvent, ndjson, seccompEvent } from './fixtures/ingest/security-events.js';
import { startTestApp } from './support/test-app.js';

type TestApp = Awaited<ReturnType<typeof startTestApp>>;

describe('POST /v1/ingest/events', () => {
  let t: TestApp;
  let db: pg.Pool;
  let ingestToken: string;
  const stored: BatchStored[] = [];
  const failed: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    db = new pg.Pool({ connectionString: t.databaseUrl, max: 2 });
    ingestToken = await t.tokenFor('ingest');
    t.app.get(IngestEvents).onBatchStored((e) => stored.push(e));
    t.app.get(IngestEvents).onBatchFailed((e) => failed.push(`${e.source}: ${e.error.message}`));
  });
  afterAll(async () => {
    await db?.end();
    await t?.close();
  });

  const post = (body: string | Buffer, token = ingestToken, gzip = false) => {
    const r = t.request
      .post('/v1/ingest/events')
      .set('authorization', `Bearer ${token}`)
      .set('content-type', 'application/x-ndjson');
    if (gzip) r.set('content-encoding', 'gzip');
    return r.send(body);
  };
  /** A rollup tier's total once the deltas stored batches appended are folded into it. */
  const rollupSum = async (table: string) => {
    await foldRollupDeltas(db);
    return (await db.query(`SELECT sum(count)::int AS n FROM ${table}`)).rows[0].n as number | null;
  };
  const count = async (where = 'true', params: unknown[] = []) =>
    Number((await db.query(`SELECT count(*) AS n FROM violations WHERE ${where}`, params)).rows[0].n);

  it('has made the daily partitions from yesterday to three days ahead at start', async () => {
    const { rows } = await db.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'violations'::regclass ORDER BY 1`,
    );
    const day = (k: number) =>
      `violations_p${new Date(Date.now() + k * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '')}`;
    expect(rows.map((r) => r.name)).toEqual(expect.arrayContaining([-1, 0, 1, 2, 3].map(day)));
  });

  it('stores valid events, lists each rejected line with its index and line, and emits batchStored', async () => {
    const good = [seccompEvent(1), seccompEvent(2)];
    const body = [
      JSON.stringify(good[0]),
      '{"eventKey": "broken',
      '',
      JSON.stringify({ ...seccompEvent(3), action: 'explode' }),
      JSON.stringify({ ...seccompEvent(4), blocked: 'yes' }),
      JSON.stringify(good[1]),
    ].join('\n');
    const res = await post(body);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: 2, duplicates: 0, rejected: 3 });
    expect(
      res.body.errors.map((e: { index: number; line: number; code: string }) => [e.index, e.line, e.code]),
    ).toEqual([
      [1, 2, 'invalid_json'],
      [2, 4, 'invalid_event'],
      [3, 5, 'invalid_event'],
    ]);
    expect(res.body.errors[1].message).toMatch(/action/);
    expect(await count()).toBe(2);
    const last = stored[stored.length - 1];
    expect(last).toMatchObject({
      source: 'events',
      accepted: 2,
      rejected: 3,
      rejectReasons: { invalid_json: 1, invalid_event: 2 },
    });
    expect(last.events.map((e) => e.eventKey)).toEqual(good.map((e) => e.eventKey));
  });

  it('counts a resend and in-batch repeats as duplicates, storing nothing twice', async () => {
    const events = [seccompEvent(10), seccompEvent(11), seccompEvent(10)];
    const first = await post(gzipNdjson(events), ingestToken, true);
    expect(first.body).toMatchObject({ accepted: 2, duplicates: 1, rejected: 0 });
    const again = await post(gzipNdjson(events), ingestToken, true);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 3, rejected: 0 });
    expect(await count('event_key = ANY($1)', [[events[0].eventKey, events[1].eventKey]])).toBe(2);
    expect(await rollupSum('violation_counts')).toBe(await count());
  });

  it('tells repeats in a batch by host, key and time together, whatever they share', async () => {
    const second = Math.floor(Date.now() / 1000) - 600;
    /** The time `micros` after ten minutes ago's whole second, to the microsecond. */
    const at = (micros: number) =>
      `${new Date((second + Math.floor(micros / 1e6)) * 1000).toISOString().slice(0, 19)}.${String(micros % 1e6).padStart(6, '0')}Z`;
    const a = seccompEvent(30, { eventKey: 'same-time:a', observedAt: at(123_456), host: 'same-time-1' });
    const events = [
      a,
      { ...a, eventKey: 'same-time:b' }, // same time and host, another key
      { ...a, host: 'same-time-2' }, // same time and key, another host
      { ...a, observedAt: at(123_457) }, // same host and key, another time
      { ...a, observedAt: at(123_456 + 2 ** 30) }, // 2^30 microseconds later: the same low bits
      { ...a }, // a repeat
      { ...a, eventKey: 'same-time:b' }, // a repeat of the second
    ];
    const res = await post(ndjson(events));
    expect(res.body).toMatchObject({ accepted: 5, duplicates: 2, rejected: 0 });
    expect(await count(`event_key LIKE 'same-time:%'`)).toBe(5);
  });

  it('stores SQL meta-characters in every string field verbatim and returns them as sent', async () => {
    const events = [nastyEvent(1), nastyEvent(2)];
    const res = await post(ndjson(events));
    expect(res.body).toMatchObject({ accepted: 2, rejected: 0 });
    const viewer = await t.tokenFor('viewer');
    const page = await t.request
      .get('/v1/violations')
      .query({ host: events[0].host, limit: 10 })
      .set('authorization', `Bearer ${viewer}`);
    expect(page.status).toBe(200);
    const byKey = new Map<string, SecurityEvent>(page.body.items.map((e: SecurityEvent) => [e.eventKey, e]));
    for (const e of events) expect(byKey.get(e.eventKey)).toEqual(e);
  });

  it('takes raw audit lines for a host, once', async () => {
    const seconds = Math.floor(Date.now() / 1000) - 120;
    const lines = [
      `type=SECCOMP msg=audit(${seconds}.250:901): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=1234 comm="curl" exe="/usr/bin/curl" sig=0 arch=c000003e syscall=101 compat=0 ip=0x7f0000 code=0x7ffc0000`,
      `audit: type=1326 audit(${seconds}.500:902): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=99 comm="sh" exe="/bin/sh" sig=31 arch=c000003e syscall=165 compat=0 ip=0x7f0000 code=0x80000000`,
    ].join('\n');
    const send = () =>
      t.request
        .post('/v1/ingest/audit?host=audit-host&bootId=boot-1')
        .set('authorization', `Bearer ${ingestToken}`)
        .set('content-type', 'text/plain')
        .send(lines);
    const first = await send();
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ accepted: 2, duplicates: 0, rejected: 0 });
    expect((await send()).body).toMatchObject({ accepted: 0, duplicates: 2 });
    const { rows } = await db.query(
      `SELECT v.action, v.syscall_name, v.comm FROM violations v JOIN hosts h ON h.id = v.host_id
       WHERE h.name = 'audit-host' ORDER BY v.observed_at`,
    );
    expect(rows).toEqual([
      { action: 'log', syscall_name: 'ptrace', comm: 'curl' },
      { action: 'kill_process', syscall_name: 'mount', comm: 'sh' },
    ]);
  });

  it("gives an audit line's event the container the agent annotated it with, unless the record names one", async () => {
    const seconds = Math.floor(Date.now() / 1000) - 90;
    const id = 'a7'.repeat(32);
    const pod = '7d8c6f2e-1a2b-4c3d-9e8f-0a1b2c3d4e5f';
    const record = (serial: number, pid: number) =>
      `type=SECCOMP msg=audit(${seconds}.${serial}:${serial}): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=${pid} comm="app" exe="/app" sig=0 arch=c000003e syscall=41 compat=0 ip=0x7f0000 code=0x50001`;
    const lines = [
      `${record(101, 7001)}\u001eid=${id} pod=${pod} namespace=payments`,
      record(102, 7002),
      // A CONTAINER_ID record of the same event names the container: the annotation adds only the pod.
      `type=CONTAINER_ID msg=audit(${seconds}.103:103): contid=from-the-record`,
      `${record(103, 7003)}\u001eid=${id} pod=${pod}`,
      `${record(104, 7004)}\u001eid=${id} color=blue`,
    ].join('\n');
    const res = await t.request
      .post('/v1/ingest/audit?host=annotated-host&bootId=boot-2')
      .set('authorization', `Bearer ${ingestToken}`)
      .set('content-type', 'text/plain')
      .send(lines);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: 3, rejected: 1 });
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        line: 5,
        code: 'invalid_annotation',
        message: expect.stringMatching(/unknown field "color"/),
      }),
    ]);
    const viewer = await t.tokenFor('viewer');
    const page = await t.request
      .get('/v1/violations')
      .query({ host: 'annotated-host', limit: 10 })
      .set('authorization', `Bearer ${viewer}`);
    const byPid = new Map<number, SecurityEvent>(
      page.body.items.map((e: SecurityEvent) => [e.process?.pid, e]),
    );
    expect(byPid.get(7001)?.container).toEqual({ id, pod, namespace: 'payments' });
    expect(byPid.get(7002)?.container).toBeUndefined();
    expect(byPid.get(7003)?.container).toEqual({ id: 'from-the-record' });
    // The stored raw line is the record as the kernel wrote it, without the annotation.
    expect(byPid.get(7001)?.raw).toBe(record(101, 7001));
    const filtered = await t.request
      .get('/v1/violations')
      .query({ container: id, limit: 10 })
      .set('authorization', `Bearer ${viewer}`);
    expect(filtered.body.items.map((e: SecurityEvent) => e.process?.pid)).toEqual([7001]);
  });

  it('refuses events too old or too far in the future, clearly', async () => {
    const res = await post(
      ndjson([
        seccompEvent(20, { observedAt: '2001-01-01T00:00:00Z' }),
        seccompEvent(21, { observedAt: new Date(Date.now() + 3 * 86_400_000).toISOString() }),
        seccompEvent(22, { observedAt: 'last tuesday' }),
        seccompEvent(23),
      ]),
    );
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(1);
    expect(res.body.errors.map((e: { code: string }) => e.code)).toEqual([
      'too_old',
      'in_future',
      'invalid_event',
    ]);
  });

  it("stores an agent's own events and refuses each event of another host, naming it", async () => {
    const enroll = await t.request
      .post('/v1/hosts/enroll')
      .set('authorization', `Bearer ${ingestToken}`)
      .send({ hostname: 'agent-host' });
    expect(enroll.status).toBe(201);
    const agent = enroll.body.token as string;
    const before = await count();
    const mixed = [seccompEvent(30, { host: 'agent-host' }), seccompEvent(31, { host: 'someone-else' })];
    const res = await post(ndjson(mixed), agent);
    // Per event, not per batch: a batch the agent resends as is must not be refused forever.
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: 1, duplicates: 0, rejected: 1 });
    expect(res.body.errors).toEqual([
      { index: 1, line: 2, code: 'foreign_host', message: expect.stringContaining('"someone-else"') },
    ]);
    expect(await count()).toBe(before + 1);
    expect(await count('host_id = (SELECT id FROM hosts WHERE name = $1)', ['someone-else'])).toBe(0);
    expect(stored[stored.length - 1].rejectReasons).toEqual({ foreign_host: 1 });
    const again = await post(ndjson(mixed), agent);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 1, rejected: 1 });
  });

  it('refuses viewers and anonymous senders', async () => {
    const viewer = await t.tokenFor('viewer');
    expect((await post(ndjson([seccompEvent(40)]), viewer)).status).toBe(403);
    const anonymous = await t.request
      .post('/v1/ingest/events')
      .set('content-type', 'application/x-ndjson')
      .send(ndjson([seccompEvent(40)]));
    expect(anonymous.status).toBe(401);
  });

  it('writes nothing when the database fails mid-batch, answers 503 with Retry-After, and takes the resend', async () => {
    const events = [
      seccompEvent(50),
      seccompEvent(51, { host: 'first-seen-in-failed-batch' }),
      seccompEvent(52, { eventKey: 'poison' }),
    ];
    await db.query(`CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.event_key = 'poison' THEN RAISE EXCEPTION 'disk on fire'; END IF; RETURN NEW; END $$`);
    await db.query(
      `CREATE TRIGGER refuse_poison BEFORE INSERT ON violations FOR EACH ROW EXECUTE FUNCTION refuse_poison()`,
    );
    const before = await count();
    const rollupBefore = await rollupSum('violation_counts');
    const refused = await post(ndjson(events));
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.body.error.code).toBe('ingest_unavailable');
    expect(failed).toEqual([expect.stringContaining('disk on fire')]);
    expect(await count()).toBe(before);
    expect(await rollupSum('violation_counts')).toBe(rollupBefore);
    const hostLeft = await db.query(`SELECT 1 FROM hosts WHERE name = 'first-seen-in-failed-batch'`);
    expect(hostLeft.rowCount).toBe(0);

    await db.query('DROP TRIGGER refuse_poison ON violations');
    const resend = await post(ndjson(events));
    expect(resend.body).toMatchObject({ accepted: 3, duplicates: 0 });
    expect(await count()).toBe(before + 3);
  });

  it('stores a large gzip batch of many hosts exactly once across a full and a partial resend', async () => {
    const many = Array.from({ length: 3000 }, (_, i) =>
      seccompEvent(1000 + i, { host: `bulk-${i % 7}`, eventKey: `bulk:${i}` }),
    );
    const before = await count();
    const first = await post(gzipNdjson(many), ingestToken, true);
    expect(first.body).toMatchObject({ accepted: 3000, duplicates: 0, rejected: 0 });
    const again = await post(gzipNdjson(many), ingestToken, true);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 3000 });
    const more = Array.from({ length: 1500 }, (_, i) =>
      seccompEvent(5000 + i, { host: `bulk-${i % 7}`, eventKey: `bulk:${3000 + i}` }),
    );
    // Hosts known now: new events go by COPY, a batch holding stored ones by the deduplicating path.
    const fresh = await post(gzipNdjson(more), ingestToken, true);
    expect(fresh.body).toMatchObject({ accepted: 1500, duplicates: 0 });
    const mixed = await post(gzipNdjson([...many.slice(0, 1500), ...more]), ingestToken, true);
    expect(mixed.body).toMatchObject({ accepted: 0, duplicates: 3000 });
    const extra = seccompEvent(9000, { host: 'bulk-1', eventKey: 'bulk:extra' });
    const partial = await post(gzipNdjson([...more, extra]), ingestToken, true);
    expect(partial.body).toMatchObject({ accepted: 1, duplicates: 1500 });
    expect(await count()).toBe(before + 4501);
    for (const table of ['violation_counts', 'violation_counts_5m', 'violation_counts_1h']) {
      expect(await rollupSum(table)).toBe(await count());
    }
  });
});
