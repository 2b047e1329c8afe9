import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { ModulesContainer } from '@nestjs/core';
import { getMetadataStorage } from 'class-validator';
import pg from 'pg';
import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSON_BODY_LIMIT } from '@sandtrap/api';
import { nastyEvent, ndjson } from './fixtures/ingest/security-events.js';
import { schemaProblems, type SchemaObject } from './support/openapi-schema.js';
import { startTestApp, type TestApp } from './support/test-app.js';

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: SchemaObject;
}

interface Operation {
  security?: Array<Record<string, string[]>>;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: SchemaObject }> };
  responses: Record<string, { content?: Record<string, { schema?: SchemaObject }> }>;
  'x-sandtrap-public'?: boolean;
  'x-sandtrap-roles'?: string[];
}

interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, SchemaObject>; securitySchemes: Record<string, unknown> };
}

type Handler = (...args: unknown[]) => unknown;

/** A route as the code declares it: Nest's own metadata, read the way Nest's router reads it. */
interface CodeRoute {
  key: string;
  documented: boolean;
  call: Handler;
  queries: Array<{ index: number; name?: string; type: unknown }>;
}

const VERBS: Partial<Record<RequestMethod, string>> = {
  [RequestMethod.GET]: 'GET',
  [RequestMethod.POST]: 'POST',
  [RequestMethod.PUT]: 'PUT',
  [RequestMethod.PATCH]: 'PATCH',
  [RequestMethod.DELETE]: 'DELETE',
};

function codeRoutes(t: TestApp): CodeRoute[] {
  const out: CodeRoute[] = [];
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as unknown as { prototype: Record<string, unknown> } & object;
      const instance = wrapper.instance as Record<string, Handler>;
      const base = String(Reflect.getMetadata(PATH_METADATA, type) ?? '');
      for (const name of Object.getOwnPropertyNames(type.prototype)) {
        const handler = type.prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const verb = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (verb === undefined) continue;
        const sub = String(Reflect.getMetadata(PATH_METADATA, handler) ?? '');
        const path = `/${[base, sub].filter((s) => s !== '' && s !== '/').join('/')}`
          .replace(/\/+/g, '/')
          .replace(/:(\w+)/g, '{$1}');
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, type, name) ?? {}) as Record<
          string,
          { index: number; data?: unknown }
        >;
        const types = (Reflect.getMetadata('design:paramtypes', type.prototype, name) ?? []) as unknown[];
        const queries = Object.entries(args)
          .filter(([k]) => k.split(':')[0] === String(RouteParamtypes.QUERY))
          .map(([, a]) => ({
            index: a.index,
            name: typeof a.data === 'string' ? a.data : undefined,
            type: types[a.index],
          }));
        const excluded = Reflect.getMetadata('swagger/apiExcludeEndpoint', handler) as
          { disable?: boolean } | undefined;
        out.push({
          key: `${VERBS[verb] ?? String(verb)} ${path}`,
          documented: excluded?.disable !== true,
          call: (...a) => instance[name](...a),
          queries,
        });
      }
    }
  }
  return out;
}

/**
 * The query parameters a route reads. Named `@Query('x')` arguments and validated DTOs say so in
 * their metadata; a raw `@Query()` object is handed to the real handler as a proxy that records
 * every name the code looks up (GET /v1/violations: the service's QueryReader).
 */
async function queryParamsRead(route: CodeRoute): Promise<Set<string>> {
  const names = new Set<string>();
  for (const q of route.queries) {
    if (q.name !== undefined) {
      names.add(q.name);
    } else if (typeof q.type === 'function' && q.type !== Object) {
      const rules = getMetadataStorage().getTargetValidationMetadatas(q.type, '', true, false);
      for (const r of rules) names.add(r.propertyName);
    } else {
      const recorder = new Proxy<Record<string, unknown>>(
        {},
        {
          get(_, key) {
            if (typeof key === 'string') names.add(key);
            return undefined;
          },
        },
      );
      const args: unknown[] = [];
      args[q.index] = recorder;
      try {
        await route.call(...args);
      } catch {
        // Missing required parameters are refused after every parameter has been read.
      }
    }
  }
  return names;
}

describe('OpenAPI document', () => {
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

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({
        key: `${method.toUpperCase()} ${path}`,
        method,
        path,
        op,
      })),
    );
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

  it('declares the bearer scheme and the error shape', () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.schemas.ErrorBodyDto).toBeDefined();
  });

  it('gives every protected operation the bearer scheme, its roles, and 401/403/429/503 in the error shape', () => {
    for (const { key, op } of operations()) {
      if (op['x-sandtrap-public']) {
        expect(op.security, key).toEqual([]);
        continue;
      }
      expect(op.security, key).toEqual([{ bearer: [] }]);
      expect(op['x-sandtrap-roles']?.length, key).toBeGreaterThan(0);
      for (const status of ['401', '403', '429', '503']) {
        expect(op.responses[status]?.content?.['application/json']?.schema?.$ref, `${key} ${status}`).toBe(
          '#/components/schemas/ErrorBodyDto',
        );
      }
    }
  });

  it('documents a success answer for every operation, with a schema for each JSON one', () => {
    for (const { key, op } of operations()) {
      const successes = Object.keys(op.responses).filter((s) => /^2\d\d$/.test(s));
      expect(successes, key).toHaveLength(1);
      const success = op.responses[successes[0]];
      if (successes[0] === '204') {
        expect(success.content, key).toBeUndefined();
        continue;
      }
      expect(Object.keys(success.content ?? {}).length, `${key}: the answer has no content`).toBeGreaterThan(
        0,
      );
      for (const [type, media] of Object.entries(success.content ?? {})) {
        expect(media.schema, `${key} ${type}`).toBeDefined();
      }
    }
  });

  it('documents the platform routes with their DTOs', () => {
    const tokens = doc.paths['/v1/tokens'];
    expect(JSON.stringify(tokens.post.requestBody)).toContain('CreateTokenDto');
    expect(JSON.stringify(tokens.post.responses['201'])).toContain('CreatedTokenDto');
    expect(doc.paths['/v1/tokens'].get['x-sandtrap-roles']).toEqual(['admin']);
    expect(doc.paths['/v1/hosts/{id}/heartbeat'].post['x-sandtrap-roles']).toEqual(['agent']);
    expect(doc.paths['/healthz'].get['x-sandtrap-public']).toBe(true);
  });

  it('documents every route the code declares, and no other', () => {
    const fromCode = codeRoutes(t)
      .filter((r) => r.documented)
      .map((r) => r.key)
      .sort();
    expect(
      operations()
        .map((o) => o.key)
        .sort(),
    ).toEqual(fromCode);
  });

  it('documents exactly the query parameters each route reads, each with a type and a description', async () => {
    const undescribed: string[] = [];
    for (const route of codeRoutes(t).filter((r) => r.documented)) {
      const [method, path] = route.key.split(' ');
      const params = doc.paths[path][method.toLowerCase()].parameters ?? [];
      const documented = params.filter((p) => p.in === 'query');
      const read = await queryParamsRead(route);
      expect(documented.map((p) => p.name).sort(), route.key).toEqual([...read].sort());
      for (const p of documented) {
        if (!(p.schema?.type ?? p.schema?.$ref)) undescribed.push(`${route.key} ?${p.name}: no type`);
        if (!p.description) undescribed.push(`${route.key} ?${p.name}: no description`);
      }
    }
    expect(undescribed).toEqual([]);
  });

  it('reads every violations filter the document lists (the proxy sees the real service)', async () => {
    const list = codeRoutes(t).find((r) => r.key === 'GET /v1/violations')!;
    expect([...(await queryParamsRead(list))]).toEqual(
      expect.arrayContaining(['from', 'to', 'host', 'action', 'blocked', 'limit', 'cursor']),
    );
    const enumOf = (name: string) =>
      doc.paths['/v1/violations'].get.parameters!.find((p) => p.name === name)!.schema!.items!.enum;
    expect(enumOf('action')).toContain('kill_process');
    expect(enumOf('source')).toContain('kmsg');
  });

  it('documents the ingest bodies: NDJSON, text and gzip, with the 202 IngestResult', () => {
    for (const path of ['events', 'audit', 'falco', 'tetragon', 'tracee', 'inspektor-gadget']) {
      const op = doc.paths[`/v1/ingest/${path}`].post;
      expect(Object.keys(op.requestBody!.content), path).toEqual(
        expect.arrayContaining(['application/x-ndjson', 'text/plain', 'application/gzip']),
      );
      expect(op.parameters?.find((p) => p.name === 'Content-Encoding')?.in, path).toBe('header');
      expect(op.responses['202'].content!['application/json'].schema!.$ref).toBe(
        '#/components/schemas/IngestResultDto',
      );
      for (const status of ['400', '403', '413', '415', '503'])
        expect(op.responses[status], path).toBeDefined();
    }
  });

  it('the schema checker itself refuses bodies that disagree with a schema', () => {
    const page = { $ref: '#/components/schemas/ViolationPageDto' };
    const event = { eventKey: 'k', observedAt: '2026-01-01T00:00:00Z', host: 'h', source: 'kmsg' };
    const good = { ...event, kind: 'seccomp', action: 'errno', blocked: true };
    expect(schemaProblems(doc, page, { items: [good], nextCursor: null })).toEqual([]);
    expect(schemaProblems(doc, page, { items: [{ ...good, surprise: 1 }], nextCursor: null })).toHaveLength(
      1,
    );
    expect(
      schemaProblems(doc, page, { items: [{ ...good, action: 'explode' }], nextCursor: null }),
    ).toHaveLength(1);
    expect(schemaProblems(doc, page, { items: [event], nextCursor: null }).length).toBeGreaterThan(0);
    expect(schemaProblems(doc, page, { items: [good] })).toHaveLength(1);
  });

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

  it('documents 403 forbidden_host: an agent sending events of another host', async () => {
    const agent = await t.tokenFor('agent', { hostname: 'doc-agent' });
    const res = await t.request
      .post('/v1/ingest/events')
      .set(bearer(agent))
      .type('application/x-ndjson')
      .send(ndjson([nastyEvent(9)]));
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden_host');
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
