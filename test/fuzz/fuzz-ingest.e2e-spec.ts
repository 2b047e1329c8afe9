import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOL_NAMES } from '@sandtrap/events';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { AUDIT_SEEDS, eventSeed, mutatedJson, mutatedText, toolSeeds } from './corpus.js';
import { fuzzParameters, fuzzTimeout } from './fuzz-budget.js';

/**
 * The ingest endpoints under random and mutated bodies over HTTP: never a 5xx, the service stays
 * up, and what the answers say was accepted is exactly what the database holds.
 */
const ENDPOINTS = ['events', 'audit', ...TOOL_NAMES] as const;
type Endpoint = (typeof ENDPOINTS)[number];

function seedsOf(endpoint: Endpoint): string[] {
  if (endpoint === 'audit') return [...AUDIT_SEEDS];
  const objects = endpoint === 'events' ? [0, 1, 2, 3].map(eventSeed) : toolSeeds(endpoint);
  return objects.map((o) => JSON.stringify(o));
}

function bodyOf(endpoint: Endpoint): fc.Arbitrary<string> {
  const texts = seedsOf(endpoint);
  const objects = endpoint === 'audit' ? [null] : texts.map((t) => JSON.parse(t) as unknown);
  const line = fc.oneof(
    { weight: 3, arbitrary: mutatedText(texts) },
    {
      weight: endpoint === 'audit' ? 0 : 3,
      arbitrary: mutatedJson(objects).map((o) => JSON.stringify(o) ?? 'null'),
    },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    { weight: 2, arbitrary: fc.constantFrom(...texts) },
  );
  return fc.array(line, { minLength: 0, maxLength: 25 }).map((lines) => lines.join('\n'));
}

interface IngestAnswer {
  accepted: number;
  duplicates: number;
  rejected: number;
  errors: Array<{ index: number; code: string; message: string }>;
}

describe('fuzz: ingest endpoints over HTTP', () => {
  let t: TestApp;
  let ingest: string;
  let client: pg.Client;
  let acceptedTotal = 0;

  beforeAll(async () => {
    // A long retention keeps the tool fixtures' dates (early 2026) storable, so bodies go deep.
    t = await startTestApp({ env: { SANDTRAP_RETENTION_DAYS: '3650' } });
    ingest = await t.tokenFor('ingest');
    client = new pg.Client({ connectionString: t.databaseUrl });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await t?.close();
  });

  for (const endpoint of ENDPOINTS) {
    it(
      `${endpoint}: never 5xx; answers are consistent`,
      async () => {
        await fc.assert(
          fc.asyncProperty(bodyOf(endpoint), fc.boolean(), async (body, gzip) => {
            const payload = gzip ? gzipSync(body) : Buffer.from(body, 'utf8');
            const r = await t.request
              .post(`/v1/ingest/${endpoint}`)
              .set('authorization', `Bearer ${ingest}`)
              .set('content-type', endpoint === 'audit' ? 'text/plain' : 'application/x-ndjson')
              .set('content-encoding', gzip ? 'gzip' : 'identity')
              .send(payload);
            expect(r.status, JSON.stringify(r.body)).toBeLessThan(500);
            if (r.status !== 202) {
              expect(typeof r.body.error?.code).toBe('string');
              return;
            }
            const a = r.body as IngestAnswer;
            for (const n of [a.accepted, a.duplicates, a.rejected])
              expect(Number.isInteger(n) && n >= 0).toBe(true);
            expect(a.errors.length).toBeLessThanOrEqual(a.rejected);
            acceptedTotal += a.accepted;
          }),
          fuzzParameters(80, 2500),
        );
        const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM violations');
        expect(Number(rows[0].n)).toBe(acceptedTotal);
        expect((await t.request.get('/healthz')).status).toBe(200);
      },
      fuzzTimeout(60_000),
    );
  }

  it('stored events along the way, so the bodies reached the database', () => {
    expect(acceptedTotal).toBeGreaterThan(0);
  });
});
