import { createServer, type Server } from 'node:http';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/prometheus.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Alert webhooks must not reach networks the operator of the service denied (by default the
 * cloud metadata range). Here loopback is denied too, so a local receiver stands in for a
 * metadata service: it must never see a request.
 */
describe('alert webhooks and denied networks', () => {
  let t: TestApp;
  let server: Server;
  let port = 0;
  let hits = 0;
  let operator: string;
  let ingestToken: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits += 1;
      req.resume();
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
    t = await startTestApp({ env: { SANDTRAP_WEBHOOK_DENY_NETWORKS: '169.254.0.0/16,127.0.0.0/8,::1/128' } });
    operator = await t.tokenFor('operator');
    ingestToken = await t.tokenFor('ingest');
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((r) => server?.close(r));
  });

  const rule = (name: string, webhookUrl: string) => ({
    name,
    threshold: 1,
    windowSeconds: 3600,
    webhookUrl,
    webhookFormat: 'generic',
    match: { hosts: [name] },
  });

  it('refuses a rule whose webhook is an address inside a denied network, naming the field', async () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      `http://127.0.0.1:${port}/x`,
      'http://[::1]/x',
    ]) {
      const res = await t.request
        .post('/v1/alert-rules')
        .set('authorization', `Bearer ${operator}`)
        .send(rule('literal', url));
      expect(res.status, url).toBe(400);
      expect(res.body.error.details.errors[0].pointer).toBe('/webhookUrl');
      expect(res.body.error.details.errors[0].message).toContain('SANDTRAP_WEBHOOK_DENY_NETWORKS');
    }
    const created = await t.request
      .post('/v1/alert-rules')
      .set('authorization', `Bearer ${operator}`)
      .send(rule('literal-ok', 'http://192.0.2.10/x'));
    expect(created.status).toBe(201);
    const patched = await t.request
      .patch(`/v1/alert-rules/${created.body.id}`)
      .set('authorization', `Bearer ${operator}`)
      .send({ webhookUrl: 'http://169.254.169.254/' });
    expect(patched.status).toBe(400);
  });

  it('never connects to a name that resolves into a denied network, and does not retry', async () => {
    const created = await t.request
      .post('/v1/alert-rules')
      .set('authorization', `Bearer ${operator}`)
      .send(rule('guard-host', `http://localhost:${port}/hook`));
    expect(created.status).toBe(201);
    const res = await supertest(t.baseUrl)
      .post('/v1/ingest/events')
      .set('authorization', `Bearer ${ingestToken}`)
      .set('content-type', 'application/x-ndjson')
      .send(
        JSON.stringify({
          eventKey: 'webhook-guard:1',
          observedAt: new Date().toISOString(),
          host: 'guard-host',
          source: 'auditd',
          kind: 'seccomp',
          action: 'kill_process',
          blocked: true,
          syscall: { arch: 'x86_64', nr: 101, name: 'ptrace' },
          process: { pid: 1, comm: 'x' },
        }) + '\n',
      );
    expect(res.status).toBe(202);
    const delivery = await eventually(
      async () => {
        const d = await t.request
          .get(`/v1/alert-rules/${created.body.id}/deliveries`)
          .set('authorization', `Bearer ${operator}`);
        const item = d.body.items?.[0] as { status: string; attempts: number; lastError: string } | undefined;
        return item?.status === 'failed' ? item : undefined;
      },
      30_000,
      'the delivery to fail',
    );
    expect(delivery.attempts).toBe(1);
    expect(delivery.lastError).toMatch(/localhost is at (127\.0\.0\.1|::1), inside a denied network/);
    expect(hits).toBe(0);
  });

  it('does not follow redirects (a receiver cannot bounce a delivery into a denied network)', async () => {
    const t2 = await startTestApp({ env: { SANDTRAP_WEBHOOK_DENY_NETWORKS: '169.254.0.0/16' } });
    try {
      const op = await t2.tokenFor('operator');
      const ing = await t2.tokenFor('ingest');
      const created = await t2.request
        .post('/v1/alert-rules')
        .set('authorization', `Bearer ${op}`)
        .send(rule('redirect-host', `http://127.0.0.1:${port}/hook`));
      expect(created.status).toBe(201);
      await supertest(t2.baseUrl)
        .post('/v1/ingest/events')
        .set('authorization', `Bearer ${ing}`)
        .set('content-type', 'application/x-ndjson')
        .send(
          JSON.stringify({
            eventKey: 'webhook-guard:2',
            observedAt: new Date().toISOString(),
            host: 'redirect-host',
            source: 'auditd',
            kind: 'seccomp',
            action: 'kill_process',
            blocked: true,
            syscall: { arch: 'x86_64', nr: 101, name: 'ptrace' },
          }) + '\n',
        )
        .expect(202);
      const delivery = await eventually(
        async () => {
          const d = await t2.request
            .get(`/v1/alert-rules/${created.body.id}/deliveries`)
            .set('authorization', `Bearer ${op}`);
          const item = d.body.items?.[0] as { status: string; responseStatus: number } | undefined;
          return item?.status === 'failed' ? item : undefined;
        },
        30_000,
        'the delivery to fail',
      );
      // A 3xx is an answer: final, not followed.
      expect(delivery.responseStatus).toBe(302);
      expect(hits).toBe(1);
    } finally {
      await t2.close();
    }
  });
});
