import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

interface Operation {
  security?: Array<Record<string, string[]>>;
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
  'x-sandtrap-public'?: boolean;
  'x-sandtrap-roles'?: string[];
}

describe('OpenAPI document', () => {
  let t: TestApp;
  let doc: {
    paths: Record<string, Record<string, Operation>>;
    components: Record<string, Record<string, unknown>>;
  };
  beforeAll(async () => {
    t = await startTestApp();
    doc = (await t.request.get('/docs/openapi.json').expect(200)).body;
  });
  afterAll(() => t?.close());

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })),
    );

  it('declares the bearer scheme and the error shape', () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.schemas.ErrorBodyDto).toBeDefined();
  });

  it('gives every protected operation the bearer scheme, its roles, and 401/403 in the error shape', () => {
    for (const { key, op } of operations()) {
      if (op['x-sandtrap-public']) {
        expect(op.security, key).toEqual([]);
        continue;
      }
      expect(op.security, key).toEqual([{ bearer: [] }]);
      expect(op['x-sandtrap-roles']?.length, key).toBeGreaterThan(0);
      for (const status of ['401', '403', '429']) {
        expect(op.responses[status]?.content?.['application/json']?.schema?.$ref, `${key} ${status}`).toBe(
          '#/components/schemas/ErrorBodyDto',
        );
      }
    }
  });

  it('documents the platform routes with their DTOs', () => {
    const tokens = doc.paths['/v1/tokens'] as unknown as Record<
      string,
      { requestBody?: unknown; responses: Record<string, unknown> }
    >;
    expect(JSON.stringify(tokens.post.requestBody)).toContain('CreateTokenDto');
    expect(JSON.stringify(tokens.post.responses['201'])).toContain('CreatedTokenDto');
    expect(doc.paths['/v1/tokens'].get['x-sandtrap-roles']).toEqual(['admin']);
    expect(doc.paths['/v1/hosts/{id}/heartbeat'].post['x-sandtrap-roles']).toEqual(['agent']);
    expect(doc.paths['/healthz'].get['x-sandtrap-public']).toBe(true);
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
});
