import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '@sandtrap/api';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Who may call each route of the OpenAPI document. 'public' needs no token. Every route of the
 * document must be here: a route added without an entry fails this suite, so nobody ships a
 * route whose access nobody decided. `agent` means "an agent token of the host in the path".
 */
const READERS: readonly Role[] = ['viewer', 'operator', 'admin'];
const OPERATORS: readonly Role[] = ['operator', 'admin'];

const ACCESS: Record<string, readonly Role[] | 'public'> = {
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /metrics': 'public',
  'POST /v1/tokens': ['admin'],
  'GET /v1/tokens': ['admin'],
  'DELETE /v1/tokens/{id}': ['admin'],
  'GET /v1/audit-log': ['operator', 'admin'],
  'POST /v1/hosts/enroll': ['ingest', 'admin'],
  'GET /v1/hosts': ['viewer', 'operator', 'admin'],
  'GET /v1/hosts/{id}': ['viewer', 'operator', 'admin', 'agent'],
  'PATCH /v1/hosts/{id}': ['operator', 'admin'],
  'DELETE /v1/hosts/{id}': ['operator', 'admin'],
  'POST /v1/hosts/{id}/heartbeat': ['agent', 'admin'],
  'GET /v1/hosts/{id}/assignments': ['agent', 'viewer', 'operator', 'admin'],
  'POST /v1/hosts/{id}/status': ['agent', 'admin'],
  // Ingest and violations (ingest engineer): writers are ingest and agent tokens; readers viewer+.
  'POST /v1/ingest/events': ['ingest', 'agent', 'admin'],
  'POST /v1/ingest/audit': ['ingest', 'agent', 'admin'],
  'POST /v1/ingest/falco': ['ingest', 'agent', 'admin'],
  'POST /v1/ingest/tetragon': ['ingest', 'agent', 'admin'],
  'POST /v1/ingest/tracee': ['ingest', 'agent', 'admin'],
  'POST /v1/ingest/inspektor-gadget': ['ingest', 'agent', 'admin'],
  'GET /v1/violations': ['viewer', 'operator', 'admin'],
  'GET /v1/violations/stats': ['viewer', 'operator', 'admin'],
  'GET /v1/violations/timeseries': ['viewer', 'operator', 'admin'],
  // Policies, assignments, alert rules (contract: reads viewer+, changes operator+; simulating a
  // version against history changes nothing, so viewers may).
  'GET /v1/policies': READERS,
  'POST /v1/policies': OPERATORS,
  'GET /v1/policies/template': READERS,
  'POST /v1/policies/generate': OPERATORS,
  'GET /v1/policies/{name}': READERS,
  'PUT /v1/policies/{name}': OPERATORS,
  'DELETE /v1/policies/{name}': OPERATORS,
  'GET /v1/policies/{name}/versions': READERS,
  'GET /v1/policies/{name}/versions/{version}': READERS,
  'GET /v1/policies/{name}/versions/{version}/export': READERS,
  'GET /v1/policies/{name}/diff': READERS,
  'POST /v1/policies/{name}/versions/{version}/simulate': READERS,
  'GET /v1/assignments': READERS,
  'POST /v1/assignments': OPERATORS,
  'GET /v1/assignments/{id}': READERS,
  'DELETE /v1/assignments/{id}': OPERATORS,
  'POST /v1/assignments/{id}/promote': OPERATORS,
  'POST /v1/assignments/{id}/rollback': OPERATORS,
  'GET /v1/alert-rules': READERS,
  'POST /v1/alert-rules': OPERATORS,
  'GET /v1/alert-rules/{id}': READERS,
  'PATCH /v1/alert-rules/{id}': OPERATORS,
  'DELETE /v1/alert-rules/{id}': OPERATORS,
  'GET /v1/alert-rules/{id}/deliveries': READERS,
};

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

interface Operation {
  method: (typeof METHODS)[number];
  path: string;
  key: string;
}

describe('auth on every route of the OpenAPI document', () => {
  let t: TestApp;
  let operations: Operation[];
  const tokens = {} as Record<Role, string>;
  let agentHostId: string;
  /** Retiring revokes the host's agent token: DELETE /v1/hosts/{id} gets a host of its own. */
  let retiredHostId: string;

  beforeAll(async () => {
    t = await startTestApp();
    const doc = await t.request.get('/docs/openapi.json');
    expect(doc.status).toBe(200);
    const paths = doc.body.paths as Record<string, Record<string, unknown>>;
    operations = Object.entries(paths).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((m) => ({ method: m, path, key: `${m.toUpperCase()} ${path}` })),
    );
    for (const role of ROLES) {
      if (role !== 'agent') tokens[role] = await t.tokenFor(role);
    }
    const enrolled = await t.request
      .post('/v1/hosts/enroll')
      .set('authorization', `Bearer ${tokens.ingest}`)
      .send({ hostname: 'auth-matrix-host' });
    tokens.agent = enrolled.body.token;
    agentHostId = enrolled.body.hostId;
    const retired = await t.request
      .post('/v1/hosts/enroll')
      .set('authorization', `Bearer ${tokens.ingest}`)
      .send({ hostname: 'auth-matrix-retired' });
    retiredHostId = retired.body.hostId;
  });
  afterAll(() => t?.close());

  const call = (op: Operation, token?: string) => {
    const id = op.key === 'DELETE /v1/hosts/{id}' ? retiredHostId : agentHostId;
    const url = op.path.replace(/\{[^}]+\}/g, id);
    const req =
      op.method === 'get'
        ? t.request.get(url)
        : op.method === 'post'
          ? t.request.post(url)
          : op.method === 'put'
            ? t.request.put(url)
            : op.method === 'patch'
              ? t.request.patch(url)
              : t.request.delete(url);
    if (token) req.set('authorization', `Bearer ${token}`);
    return op.method === 'get' || op.method === 'delete' ? req : req.send({});
  };

  it('documents the routes it should (sanity of the iteration)', () => {
    expect(operations.map((o) => o.key)).toEqual(expect.arrayContaining(['POST /v1/tokens', 'GET /readyz']));
  });

  it('has an access entry for every documented route', () => {
    const missing = operations.filter((op) => !(op.key in ACCESS)).map((op) => op.key);
    expect(missing, 'add these routes to ACCESS in test/api-auth.e2e-spec.ts').toEqual([]);
  });

  it('answers 401 without a token and with a garbage token on every non-public route', async () => {
    for (const op of operations.filter((o) => ACCESS[o.key] !== 'public')) {
      for (const token of [undefined, 'garbage', 'st_00000000000000000000000000000000_' + 'A'.repeat(43)]) {
        const res = await call(op, token);
        expect(res.status, `${op.key} with ${token ?? 'no token'}`).toBe(401);
        expect(res.body.error.code).toBe('unauthorized');
      }
    }
  });

  it('answers 403 to each role the route does not allow, and lets the others through', async () => {
    for (const op of operations) {
      const access = ACCESS[op.key];
      if (access === undefined) continue;
      for (const role of ROLES) {
        const res = await call(op, tokens[role]);
        const allowed = access === 'public' || access.includes(role);
        if (allowed) expect([401, 403], `${op.key} as ${role}: ${res.status}`).not.toContain(res.status);
        else {
          expect(res.status, `${op.key} as ${role}`).toBe(403);
          expect(res.body.error.code).toMatch(/^forbidden/);
        }
      }
    }
  });

  it('serves public routes without a token', async () => {
    for (const op of operations.filter((o) => ACCESS[o.key] === 'public')) {
      const res = await call(op);
      expect([401, 403], op.key).not.toContain(res.status);
    }
  });
});
