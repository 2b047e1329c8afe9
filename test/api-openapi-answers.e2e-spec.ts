import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSON_BODY_LIMIT } from '@sandtrap/api';
import { nastyEvent, ndjson } from './fixtures/ingest/security-events.js';
import { operationsOf, type Document } from './support/openapi-document.js';
import { schemaProblems } from './support/openapi-schema.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Real answers of every route, good and bad, against the document (which api-openapi checks). */
describe('OpenAPI document and real answers', () => {
  let t: TestApp;
  let doc: Document;
  let operator: string;
  let viewer: string;
  let ingest: string;
  let receiver: Server;
  let receiverUrl: string;
  /** "GET /v1/x" -> statuses checked against the document with a real answer. */
  const checked = new Map<string, Set<number>>();

  beforeAll(async () => {
    t = await startTestApp();
    doc = (await t.request.get('/docs/openapi.json').expect(200)).body;
    [operator, viewer, ingest] = await Promise.all([
      t.tokenFor('operator'),
      t.tokenFor('viewer'),
      t.tokenFor('ingest'),
    ]);
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => receiver?.close(resolve));
    await t?.close();
  });

  const operations = () => operationsOf(doc);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  /** `t.request.get(url)`, `.post(url)` ... by the document's lower-case method name. */
  const callRoute = (method: string, url: string) =>
    (t.request as unknown as Record<string, (u: string) => ReturnType<typeof t.request.get>>)[method](url);

  /**
   * The answer's status must be one the route documents (not merely `default`), and a JSON body
   * must fit the schema documented for that status.
   */
  function expectDocumented(key: string, res: Response): void {
    const [method, path] = key.split(' ');
    const op = doc.paths[path]?.[method.toLowerCase()];
    expect(op, `${key} is not in the document`).toBeDefined();
    const documented = op.responses[String(res.status)];
    expect(
      documented,
      `${key} answered ${res.status}, which it does not document: ${res.text}`,
    ).toBeDefined();
    const isJson = /^application\/json/.test(String(res.headers['content-type'] ?? ''));
    if (isJson) {
      const schema = documented.content?.['application/json']?.schema;
      expect(schema, `${key} ${res.status}: no JSON schema documented`).toBeDefined();
      expect.soft(schemaProblems(doc, schema!, res.body), `${key} ${res.status}`).toEqual([]);
    }
    checked.set(key, (checked.get(key) ?? new Set()).add(res.status));
  }

  it('answers every GET route, and the writes that make its data, as the document says', async () => {
    const send = async (key: string, req: PromiseLike<Response>, expected: number) => {
      const res = await req;
      expect(res.status, `${key}: ${res.text}`).toBe(expected);
      expectDocumented(key, res);
      return res;
    };
    const op = operator;
    // Events with every SecurityEvent field, through the real ingest route.
    const events = [nastyEvent(1), nastyEvent(2)];
    await send(
      'POST /v1/ingest/events',
      t.request
        .post('/v1/ingest/events')
        .set(bearer(ingest))
        .type('application/x-ndjson')
        .send(ndjson(events)),
      202,
    );
    const host = await send(
      'POST /v1/hosts/enroll',
      t.request
        .post('/v1/hosts/enroll')
        .set(bearer(ingest))
        .send({ hostname: 'doc-host', labels: { env: 'doc' } }),
      201,
    );
    const hostId = host.body.hostId as string;
    const agent = host.body.token as string;
    await send(
      'POST /v1/hosts/{id}/heartbeat',
      t.request
        .post(`/v1/hosts/${hostId}/heartbeat`)
        .set(bearer(agent))
        .send({
          agentVersion: '0.1.0',
          stats: {
            eventsRead: 1,
            eventsShipped: 1,
            eventsDropped: 0,
            spoolDepth: 0,
            spoolBytes: 0,
            lostKernelRecords: 0,
          },
        }),
      204,
    );
    await send(
      'POST /v1/ingest/audit',
      t.request
        .post('/v1/ingest/audit?host=doc-host&bootId=b1')
        .set(bearer(ingest))
        .type('text/plain')
        .send(
          `type=SECCOMP msg=audit(${Math.floor(Date.now() / 1000)}.123:42): auid=1000 uid=1000 gid=1000 ses=1 pid=7 comm="x" exe="/x" sig=0 arch=c000003e syscall=101 compat=0 ip=0x0 code=0x50000\n`,
        ),
      202,
    );
    const profile = {
      defaultAction: 'SCMP_ACT_ERRNO',
      architectures: ['SCMP_ARCH_X86_64'],
      syscalls: [{ names: ['read', 'write', 'exit_group'], action: 'SCMP_ACT_ALLOW' }],
    };
    await send(
      'POST /v1/policies',
      t.request.post('/v1/policies').set(bearer(op)).send({ name: 'doc', profile, message: 'v1' }),
      201,
    );
    await send(
      'PUT /v1/policies/{name}',
      t.request
        .put('/v1/policies/doc')
        .set(bearer(op))
        .set('if-match', '1')
        .send({ profile: { ...profile, defaultAction: 'SCMP_ACT_LOG' }, message: 'v2' }),
      200,
    );
    const assignment = await send(
      'POST /v1/assignments',
      t.request
        .post('/v1/assignments')
        .set(bearer(op))
        .send({ policy: 'doc', version: 1, selector: { hostNames: ['doc-host'] }, mode: 'enforce' }),
      201,
    );
    await send(
      'POST /v1/hosts/{id}/status',
      t.request
        .post(`/v1/hosts/${hostId}/status`)
        .set(bearer(agent))
        .send({ profiles: [{ policy: 'doc', sha256: 'a'.repeat(64), path: '/var/lib/doc.json' }] }),
      204,
    );
    const rule = await send(
      'POST /v1/alert-rules',
      t.request
        .post('/v1/alert-rules')
        .set(bearer(op))
        .send({
          name: 'doc-rule',
          match: { actions: ['errno'] },
          threshold: 1,
          windowSeconds: 60,
          webhookUrl: `${receiverUrl}/hook`,
          webhookFormat: 'generic',
        }),
      201,
    );
    const ruleId = rule.body.id as string;
    // An event the rule counts, so that its delivery list has an item to check.
    await send(
      'POST /v1/ingest/events',
      t.request
        .post('/v1/ingest/events')
        .set(bearer(ingest))
        .type('application/x-ndjson')
        .send(ndjson([nastyEvent(3)])),
      202,
    );
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    await send(
      'POST /v1/policies/{name}/versions/{version}/simulate',
      t.request.post('/v1/policies/doc/versions/2/simulate').set(bearer(viewer)).send({ from, to }),
      200,
    );
    await send(
      'POST /v1/policies/generate',
      t.request.post('/v1/policies/generate').set(bearer(op)).send({ selector: {}, from, to }),
      200,
    );

    const token = await send(
      'POST /v1/tokens',
      t.request.post('/v1/tokens').set(bearer(t.adminToken)).send({ name: 'doc-token', role: 'viewer' }),
      201,
    );
    let deliveries: Response | undefined;
    for (let i = 0; i < 150 && !deliveries?.body.items?.length; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      deliveries = await t.request.get(`/v1/alert-rules/${ruleId}/deliveries`).set(bearer(viewer));
    }
    expect(deliveries!.body.items.length, 'the alert rule never fired').toBeGreaterThan(0);

    const reads: Array<[string, string, string]> = [
      ['GET /healthz', '/healthz', viewer],
      ['GET /readyz', '/readyz', viewer],
      ['GET /v1/tokens', '/v1/tokens?includeRevoked=true', t.adminToken],
      ['GET /v1/audit-log', '/v1/audit-log?limit=50', op],
      ['GET /v1/hosts', '/v1/hosts', viewer],
      ['GET /v1/hosts/{id}', `/v1/hosts/${hostId}`, viewer],
      ['GET /v1/hosts/{id}/assignments', `/v1/hosts/${hostId}/assignments`, agent],
      ['GET /v1/violations', '/v1/violations?limit=2', viewer],
      ['GET /v1/violations/stats', '/v1/violations/stats?groupBy=syscall', viewer],
      ['GET /v1/violations/timeseries', '/v1/violations/timeseries?interval=1h', viewer],
      ['GET /v1/policies', '/v1/policies', viewer],
      ['GET /v1/policies/template', '/v1/policies/template', viewer],
      ['GET /v1/policies/{name}', '/v1/policies/doc', viewer],
      ['GET /v1/policies/{name}/versions', '/v1/policies/doc/versions', viewer],
      ['GET /v1/policies/{name}/versions/{version}', '/v1/policies/doc/versions/1', viewer],
      ['GET /v1/policies/{name}/versions/{version}/export', '/v1/policies/doc/versions/1/export', viewer],
      [
        'GET /v1/policies/{name}/versions/{version}/export',
        '/v1/policies/doc/versions/1/export?format=spo',
        viewer,
      ],
      ['GET /v1/policies/{name}/diff', '/v1/policies/doc/diff?from=1&to=2', viewer],
      ['GET /v1/assignments', '/v1/assignments', viewer],
      ['GET /v1/assignments/{id}', `/v1/assignments/${assignment.body.id}`, viewer],
      ['GET /v1/alert-rules', '/v1/alert-rules', viewer],
      ['GET /v1/alert-rules/{id}', `/v1/alert-rules/${ruleId}`, viewer],
      ['GET /v1/alert-rules/{id}/deliveries', `/v1/alert-rules/${ruleId}/deliveries`, viewer],
    ];
    for (const [key, url, caller] of reads) await send(key, t.request.get(url).set(bearer(caller)), 200);

    // The page holds every field of the events sent, so the check above saw each one.
    const page = await t.request.get('/v1/violations?limit=1000').set(bearer(viewer));
    const sent = page.body.items.find((e: { eventKey: string }) => e.eventKey === events[0].eventKey);
    expect(sent).toEqual(events[0]);

    // The writes that change or remove what the reads above answered.
    await send(
      'PATCH /v1/hosts/{id}',
      t.request
        .patch(`/v1/hosts/${hostId}`)
        .set(bearer(op))
        .send({ labels: { env: 'doc2' } }),
      200,
    );
    await send(
      'PATCH /v1/alert-rules/{id}',
      t.request.patch(`/v1/alert-rules/${ruleId}`).set(bearer(op)).send({ enabled: false }),
      200,
    );
    await send(
      'DELETE /v1/alert-rules/{id}',
      t.request.delete(`/v1/alert-rules/${ruleId}`).set(bearer(op)),
      200,
    );
    await send(
      'DELETE /v1/tokens/{id}',
      t.request.delete(`/v1/tokens/${token.body.id}`).set(bearer(t.adminToken)),
      200,
    );
    await send('DELETE /v1/hosts/{id}', t.request.delete(`/v1/hosts/${hostId}`).set(bearer(op)), 200);
    const getRoutes = operations()
      .filter((o) => o.method === 'get')
      .map((o) => o.key);
    const unchecked = getRoutes.filter((k) => ![...(checked.get(k) ?? [])].some((s) => s >= 200 && s < 300));
    expect(unchecked, 'GET routes whose real answer no test compared with the document').toEqual([]);
  }, 60_000);

  it('documents the client errors every route really answers: bad bodies, bad and unknown ids', async () => {
    // 17 MiB of newlines, 17 KiB gzipped: over the decompressed limit.
    const bomb = gzipSync(Buffer.alloc(17 * 1024 * 1024, 0x0a));
    const broken = Buffer.from('not gzip at all');
    const adminAuth = bearer(t.adminToken);
    for (const { key, method, path, op } of operations()) {
      if (op['x-sandtrap-public']) continue;
      const urlWith = (value: string) => path.replace(/\{[^}]+\}/g, value);
      const request = (url: string) => callRoute(method, url).set(adminAuth);
      const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path');
      if (pathParams.length > 0) {
        // Not an id of this API, then a well-formed id of nothing.
        expectDocumented(key, await request(urlWith('not-an-id!')));
        expectDocumented(
          key,
          await request(urlWith(path.includes('{version}') ? '999' : '00000000-0000-4000-8000-000000000000')),
        );
      }
      const body = op.requestBody?.content ?? {};
      if (Object.keys(body).length === 0) continue;
      const url = urlWith(path.includes('{version}') ? '1' : '00000000-0000-4000-8000-000000000000');
      const ifMatch = (r: ReturnType<typeof request>) => (method === 'put' ? r.set('if-match', '1') : r);
      expectDocumented(key, await ifMatch(request(url)).type('application/xml').send('<a/>'));
      if ('application/json' in body) {
        expectDocumented(key, await ifMatch(request(url)).type('application/json').send('{"x": '));
        const big = JSON.stringify({ x: 'x'.repeat(JSON_BODY_LIMIT + 1) });
        expectDocumented(key, await ifMatch(request(url)).type('application/json').send(big));
      }
      if ('application/x-ndjson' in body) {
        const ndjsonReq = () => ifMatch(request(url)).type('application/x-ndjson');
        expectDocumented(key, await ndjsonReq().set('content-encoding', 'gzip').send(bomb));
        expectDocumented(key, await ndjsonReq().set('content-encoding', 'gzip').send(broken));
        expectDocumented(key, await ndjsonReq().set('content-encoding', 'br').send('{}'));
      }
    }
    for (const [key, statuses] of checked) {
      if (key.startsWith('POST /v1/ingest/'))
        expect([...statuses], key).toEqual(expect.arrayContaining([400, 413, 415]));
    }
  }, 60_000);

  it('documents what each route answers to a bad value of each of its query parameters', async () => {
    let refused = 0;
    for (const { key, method, path, op } of operations()) {
      const url = path.replace(
        /\{[^}]+\}/g,
        path.includes('{version}') ? '1' : '00000000-0000-4000-8000-000000000000',
      );
      for (const p of (op.parameters ?? []).filter((x) => x.in === 'query')) {
        for (const bad of ['not a valid value!', '-1', '']) {
          const res = await callRoute(method, `${url}?${p.name}=${encodeURIComponent(bad)}`).set(
            bearer(t.adminToken),
          );
          expectDocumented(key, res);
          if (res.status === 400) refused++;
        }
      }
    }
    // The violations, hosts and audit-log filters refuse such values; the check above saw real 400s.
    expect(refused).toBeGreaterThan(20);
  });

  it('documents foreign_host: an agent event of another host is refused, its own stored', async () => {
    const agent = await t.tokenFor('agent', { hostname: 'doc-agent' });
    const res = await t.request
      .post('/v1/ingest/events')
      .set(bearer(agent))
      .type('application/x-ndjson')
      .send(ndjson([nastyEvent(9), { ...nastyEvent(10), host: 'doc-agent' }]));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: 1, rejected: 1 });
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        index: 0,
        line: 1,
        code: 'foreign_host',
        message: expect.stringContaining('doc-agent'),
      }),
    ]);
    expectDocumented('POST /v1/ingest/events', res);
  });

  it('serves the UI at /docs', async () => {
    const res = await t.request.get('/docs');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    // The UI's own assets are served too (no CDN).
    const assets = [...res.text.matchAll(/(?:src|href)="([^"]+\.(?:js|css))"/g)].map((m) => m[1]);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      // Resolved as a browser would, relative to /docs.
      const url = new URL(asset, `${t.baseUrl}/docs`).pathname;
      expect((await t.request.get(url)).status, url).toBe(200);
    }
  });

  it('documents 503: with the database gone, every route answers it with Retry-After', async () => {
    const c = new pg.Client({ connectionString: new URL('/postgres', t.databaseUrl).toString() });
    await c.connect();
    try {
      await c.query(`DROP DATABASE ${new URL(t.databaseUrl).pathname.slice(1)} WITH (FORCE)`);
    } finally {
      await c.end();
    }
    for (const { key, method, path, op } of operations()) {
      if (op['x-sandtrap-public'] && path !== '/readyz') continue;
      const url = path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000001');
      const res = await callRoute(method, url).set(bearer(viewer));
      expect(res.status, `${key}: ${res.text}`).toBe(503);
      expectDocumented(key, res);
    }
  });
});
