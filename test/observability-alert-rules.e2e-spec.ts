import { createServer, type Server } from 'node:http';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/prometheus.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** A local webhook receiver: /flaky fails its first request with 500, /refuse always answers 400. */
interface Receiver {
  url: string;
  received: Array<{ path: string; body: unknown }>;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const received: Receiver['received'] = [];
  let flakyCalls = 0;
  const server: Server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      const path = req.url ?? '';
      received.push({ path, body: JSON.parse(data) as unknown });
      if (path === '/flaky' && flakyCalls++ === 0) res.writeHead(500).end('try later');
      else if (path === '/refuse') res.writeHead(400).end('no');
      else res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    received,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

interface Delivery {
  status: string;
  attempts: number;
  responseStatus: number | null;
  lastError: string | null;
  eventCount: number;
}

describe('/v1/alert-rules with webhook deliveries', () => {
  let t: TestApp;
  let receiver: Receiver;
  let operator: string;
  let viewer: string;
  let ingestToken: string;
  let n = 0;

  const kill = (host: string, over: Record<string, unknown> = {}) => ({
    eventKey: `alert-e2e:${host}:${++n}`,
    observedAt: new Date().toISOString(),
    host,
    source: 'auditd',
    kind: 'seccomp',
    action: 'kill_process',
    blocked: true,
    syscall: { arch: 'x86_64', nr: 101, name: 'ptrace' },
    process: { pid: 5000 + n, exe: '/usr/bin/curl', comm: 'curl' },
    container: { id: 'c0ffee', name: 'web' },
    policy: 'nginx',
    ...over,
  });
  const ingest = async (...events: object[]) => {
    const res = await supertest(t.baseUrl)
      .post('/v1/ingest/events')
      .set('authorization', `Bearer ${ingestToken}`)
      .set('content-type', 'application/x-ndjson')
      .send(events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.accepted).toBe(events.length);
  };
  const createRule = (body: object, token = operator) =>
    t.request.post('/v1/alert-rules').set('authorization', `Bearer ${token}`).send(body);
  const deliveries = async (id: string) =>
    (await t.request.get(`/v1/alert-rules/${id}/deliveries`).set('authorization', `Bearer ${viewer}`)).body
      .items as Delivery[];

  beforeAll(async () => {
    t = await startTestApp();
    receiver = await startReceiver();
    operator = await t.tokenFor('operator');
    viewer = await t.tokenFor('viewer');
    ingestToken = await t.tokenFor('ingest');
    const enroll = await t.request
      .post('/v1/hosts/enroll')
      .set('authorization', `Bearer ${t.adminToken}`)
      .send({ hostname: 'alert-host-1', labels: { env: 'prod' } });
    expect(enroll.status).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('refuses invalid rules naming the field, and viewers', async () => {
    const valid = {
      name: 'x',
      threshold: 1,
      windowSeconds: 60,
      webhookUrl: `${receiver.url}/ok`,
      webhookFormat: 'generic',
    };
    const cases: Array<[object, string]> = [
      [{ ...valid, threshold: 0 }, '/threshold'],
      [{ ...valid, windowSeconds: 5 }, '/windowSeconds'],
      [{ ...valid, webhookUrl: 'ftp://example.com/x' }, '/webhookUrl'],
      [{ ...valid, webhookUrl: 'not a url \u0000' }, '/webhookUrl'],
      [{ ...valid, webhookFormat: 'teams' }, '/webhookFormat'],
      [{ ...valid, match: { actions: 'kill_process' } }, '/match/actions'],
      [{ ...valid, match: { hostLabels: { 'bad key!': 1 } } }, '/match/hostLabels'],
      [{ ...valid, surprise: true }, '/surprise'],
    ];
    for (const [body, pointer] of cases) {
      const res = await createRule(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
    }
    expect((await createRule(valid, viewer)).status).toBe(403);
    const garbage = await t.request
      .post('/v1/alert-rules')
      .set('authorization', `Bearer ${operator}`)
      .set('content-type', 'application/json')
      .send('{"name": [unterminated');
    expect(garbage.status).toBe(400);
  });

  it('fires at the threshold on matching hosts only, retries a failing webhook, and deduplicates', async () => {
    const res = await createRule({
      name: 'kills-in-prod',
      match: { actions: ['kill_process', 'kill_thread'], hostLabels: { env: 'prod' } },
      threshold: 2,
      windowSeconds: 3600,
      webhookUrl: `${receiver.url}/flaky`,
      webhookFormat: 'generic',
    });
    expect(res.status).toBe(201);
    const rule = res.body as { id: string };

    await ingest(kill('alert-host-1'));
    await ingest(kill('alert-host-2')); // no env=prod label: does not count
    await ingest(kill('alert-host-1', { action: 'errno', blocked: true })); // not a kill
    await new Promise((r) => setTimeout(r, 800));
    expect(await deliveries(rule.id)).toEqual([]);

    await ingest(kill('alert-host-1'));
    const [delivery] = await eventually(
      async () => {
        const d = await deliveries(rule.id);
        return d[0]?.status === 'delivered' ? d : undefined;
      },
      15_000,
      'the delivery',
    );
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2, responseStatus: 200, eventCount: 2 });
    const bodies = receiver.received.filter((r) => r.path === '/flaky');
    expect(bodies).toHaveLength(2); // the 500, then the retry
    const body = bodies[1]!.body as {
      rule: { name: string };
      count: number;
      events: Record<string, unknown>[];
    };
    expect(body.rule.name).toBe('kills-in-prod');
    expect(body.count).toBe(2);
    expect(body.events).toHaveLength(2);
    expect(body.events[0]).toMatchObject({
      host: 'alert-host-1',
      action: 'kill_process',
      syscall: 'ptrace',
      exe: '/usr/bin/curl',
      container: 'web',
      policy: 'nginx',
    });
    expect(typeof body.events[0]!.pid).toBe('number');

    // more kills in the same window: the alert is already out
    await ingest(kill('alert-host-1'));
    await new Promise((r) => setTimeout(r, 1500));
    expect(await deliveries(rule.id)).toHaveLength(1);
    expect(receiver.received.filter((r) => r.path === '/flaky')).toHaveLength(2);
  });

  it('delivers Slack-compatible text, and records a refused Alertmanager delivery without retrying it', async () => {
    const slack = (
      await createRule({
        name: 'ptrace-on-host-3',
        match: { syscalls: ['ptrace'], hosts: ['alert-host-3'], exes: ['/usr/bin/curl'] },
        threshold: 1,
        windowSeconds: 3600,
        webhookUrl: `${receiver.url}/slack`,
        webhookFormat: 'slack',
      })
    ).body as { id: string };
    const am = (
      await createRule({
        name: 'any-on-host-4',
        match: { hosts: ['alert-host-4'] },
        threshold: 1,
        windowSeconds: 3600,
        webhookUrl: `${receiver.url}/refuse`,
        webhookFormat: 'alertmanager',
      })
    ).body as { id: string };
    await ingest(kill('alert-host-3'), kill('alert-host-4'));
    await eventually(
      async () => ((await deliveries(slack.id))[0]?.status === 'delivered' ? true : undefined),
      15_000,
      'the slack delivery',
    );
    const [failed] = await eventually(
      async () => {
        const d = await deliveries(am.id);
        return d[0] && d[0].status !== 'sending' ? d : undefined;
      },
      15_000,
      'the alertmanager delivery',
    );
    expect(failed).toMatchObject({
      status: 'failed',
      attempts: 1,
      responseStatus: 400,
      lastError: 'HTTP 400',
    });
    const text = (receiver.received.find((r) => r.path === '/slack')!.body as { text: string }).text;
    expect(text).toContain('ptrace-on-host-3');
    expect(text).toContain('exe /usr/bin/curl');
    expect(text).toContain('container web');
    const alerts = receiver.received.find((r) => r.path === '/refuse')!.body as Array<{
      labels: Record<string, string>;
    }>;
    expect(alerts[0]!.labels).toMatchObject({
      alertname: 'SandtrapAlertRule',
      rule: 'any-on-host-4',
      host: 'alert-host-4',
    });
  });

  it('pauses a rule with PATCH enabled=false, and validates changes', async () => {
    const created = await createRule({
      name: 'pausable',
      match: { hosts: ['alert-host-5'] },
      threshold: 1,
      windowSeconds: 3600,
      webhookUrl: `${receiver.url}/ok`,
      webhookFormat: 'generic',
    });
    const id = (created.body as { id: string }).id;
    const patch = (body: object, token = operator) =>
      t.request.patch(`/v1/alert-rules/${id}`).set('authorization', `Bearer ${token}`).send(body);
    const paused = await patch({ enabled: false, threshold: 3 });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({
      name: 'pausable',
      enabled: false,
      threshold: 3,
      windowSeconds: 3600,
    });
    expect((await patch({ threshold: -1 })).status).toBe(400);
    expect((await patch({ webhookUrl: 'javascript:alert(1)' })).status).toBe(400);
    expect((await patch({ name: 'kills-in-prod' })).status).toBe(409);
    expect((await patch({ enabled: true }, viewer)).status).toBe(403);
    await ingest(kill('alert-host-5'), kill('alert-host-5'), kill('alert-host-5'));
    await new Promise((r) => setTimeout(r, 1000));
    expect(await deliveries(id)).toEqual([]);
    const audit = await t.request
      .get('/v1/audit-log')
      .query({ limit: 50 })
      .set('authorization', `Bearer ${t.adminToken}`);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toContain('alert_rule.update');
    expect(
      (await t.request.delete(`/v1/alert-rules/${id}`).set('authorization', `Bearer ${operator}`)).status,
    ).toBe(200);
  });

  it('lists, reads and deletes rules; a deleted rule is gone with its deliveries', async () => {
    const list = await t.request.get('/v1/alert-rules').set('authorization', `Bearer ${viewer}`);
    expect(list.status).toBe(200);
    const rules = list.body.items as Array<{ id: string; name: string }>;
    expect(rules.map((r) => r.name)).toEqual(['any-on-host-4', 'kills-in-prod', 'ptrace-on-host-3']);
    expect(list.body.nextCursor).toBeNull();
    // The same names one page at a time; a foreign cursor refused.
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const page = await t.request
        .get(`/v1/alert-rules?limit=1${query}`)
        .set('authorization', `Bearer ${viewer}`);
      expect(page.status).toBe(200);
      paged.push(...page.body.items.map((r: { name: string }) => r.name));
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    expect(paged).toEqual(rules.map((r) => r.name));
    const foreign = Buffer.from(JSON.stringify({ us: 1 })).toString('base64url');
    const bad = await t.request
      .get(`/v1/alert-rules?cursor=${foreign}`)
      .set('authorization', `Bearer ${viewer}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_cursor');
    const id = rules[0]!.id;
    expect(
      (await t.request.get(`/v1/alert-rules/${id}`).set('authorization', `Bearer ${viewer}`)).body.name,
    ).toBe('any-on-host-4');
    expect((await createRule({ ...rules[0], id: undefined })).status).toBe(400);
    const del = await t.request.delete(`/v1/alert-rules/${id}`).set('authorization', `Bearer ${operator}`);
    expect(del.status).toBe(200);
    expect(
      (await t.request.get(`/v1/alert-rules/${id}`).set('authorization', `Bearer ${viewer}`)).status,
    ).toBe(404);
    expect(
      (await t.request.get(`/v1/alert-rules/${id}/deliveries`).set('authorization', `Bearer ${viewer}`))
        .status,
    ).toBe(404);
    expect(
      (await t.request.get('/v1/alert-rules/not-a-uuid').set('authorization', `Bearer ${viewer}`)).status,
    ).toBe(400);
    const dup = await createRule({
      name: 'kills-in-prod',
      threshold: 1,
      windowSeconds: 60,
      webhookUrl: `${receiver.url}/ok`,
      webhookFormat: 'generic',
    });
    expect(dup.status).toBe(409);
  });
});
