import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeRoutes, operationsOf, queryParamsRead, type Document } from './support/openapi-document.js';
import { schemaProblems } from './support/openapi-schema.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** The document itself against the code; test/api-openapi-answers checks real answers against it. */
describe('OpenAPI document', () => {
  let t: TestApp;
  let doc: Document;

  beforeAll(async () => {
    t = await startTestApp();
    doc = (await t.request.get('/docs/openapi.json').expect(200)).body;
  });
  afterAll(async () => {
    await t?.close();
  });

  const operations = () => operationsOf(doc);

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
});
