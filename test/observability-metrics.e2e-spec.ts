import pg from 'pg';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELTA_TABLE, FOLD_LOCK_KEY, foldRollupDeltas } from '@sandtrap/api';
import { startTestApp, type TestApp } from './support/test-app.js';

function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      return Number(line.split(' ').pop());
  }
  return undefined;
}

describe('GET /metrics (open)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('serves the Prometheus text format with process metrics and zeroed fleet gauges', async () => {
    const res = await t.request.get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toContain('# TYPE sandtrap_violations_total counter');
    expect(res.text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(res.text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(sample(res.text, 'sandtrap_hosts', { state: 'reporting' })).toBe(0);
    expect(sample(res.text, 'sandtrap_violation_series_limit')).toBe(5000);
    expect(sample(res.text, 'sandtrap_rollup_deltas_pending')).toBe(0);
  });

  it('exports the rollup deltas not folded yet, and none once they are folded', async () => {
    const db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    try {
      // Holding the folds' lock, so that the service's own fold cannot take the rows meanwhile.
      await db.query('SELECT pg_advisory_lock($1)', [FOLD_LOCK_KEY]);
      for (let batch = 0; batch < 2; batch++) {
        await db.query(
          `INSERT INTO ${DELTA_TABLE} VALUES ('{29406240}', ARRAY[gen_random_uuid()], '{log}', '{ptrace}', '{""}', '{""}', '{kmsg}', '{3}')`,
        );
      }
      const pending = (await t.request.get('/metrics')).text;
      expect(sample(pending, 'sandtrap_rollup_deltas_pending')).toBe(2);
      await db.query('SELECT pg_advisory_unlock($1)', [FOLD_LOCK_KEY]);
      await foldRollupDeltas(db); // or the service's, if it was waiting for the lock
      const folded = (await t.request.get('/metrics')).text;
      expect(sample(folded, 'sandtrap_rollup_deltas_pending')).toBe(0);
    } finally {
      await db.end();
    }
  });

  it('exports heartbeat age and agent stats per host from the hosts table', async () => {
    const enroll = await t.request
      .post('/v1/hosts/enroll')
      .set('authorization', `Bearer ${t.adminToken}`)
      .send({ hostname: 'metrics-host-1' });
    expect(enroll.status).toBe(201);
    const { hostId, token } = enroll.body as { hostId: string; token: string };
    const beat = await supertest(t.baseUrl)
      .post(`/v1/hosts/${hostId}/heartbeat`)
      .set('authorization', `Bearer ${token}`)
      .send({
        stats: {
          eventsRead: 10,
          eventsShipped: 8,
          eventsDropped: 2,
          spoolDepth: 42,
          spoolBytes: 4096,
          lostKernelRecords: 3,
        },
      });
    expect(beat.status).toBe(204);
    const text = (await t.request.get('/metrics')).text;
    expect(sample(text, 'sandtrap_agent_spool_depth', { host: 'metrics-host-1' })).toBe(42);
    expect(sample(text, 'sandtrap_agent_spool_bytes', { host: 'metrics-host-1' })).toBe(4096);
    expect(sample(text, 'sandtrap_agent_events_dropped', { host: 'metrics-host-1' })).toBe(2);
    expect(sample(text, 'sandtrap_agent_lost_kernel_records', { host: 'metrics-host-1' })).toBe(3);
    const age = sample(text, 'sandtrap_host_heartbeat_age_seconds', { host: 'metrics-host-1' })!;
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(60);
    expect(sample(text, 'sandtrap_hosts', { state: 'reporting' })).toBe(1);
  });

  it('exports hosts per policy and rollout status from the assignments', async () => {
    const operator = await t.tokenFor('operator');
    const auth = { authorization: `Bearer ${operator}` };
    const policy = await t.request
      .post('/v1/policies')
      .set(auth)
      .send({
        name: 'metrics-web',
        profile: {
          defaultAction: 'SCMP_ACT_ERRNO',
          architectures: ['SCMP_ARCH_X86_64'],
          syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }],
        },
      });
    expect(policy.status).toBe(201);
    const before = (await t.request.get('/metrics')).text;
    expect(sample(before, 'sandtrap_policy_rollout_hosts', { policy: 'metrics-web' })).toBeUndefined();
    const assign = await t.request
      .post('/v1/assignments')
      .set(auth)
      .send({
        policy: 'metrics-web',
        version: 1,
        selector: { hostNames: ['metrics-host-1'] },
        mode: 'enforce',
      });
    expect(assign.status, JSON.stringify(assign.body)).toBe(201);
    const text = (await t.request.get('/metrics')).text;
    expect(sample(text, 'sandtrap_policy_rollout_hosts', { policy: 'metrics-web', status: 'pending' })).toBe(
      1,
    );
    expect(sample(text, 'sandtrap_policy_rollout_hosts', { policy: 'metrics-web', status: 'applied' })).toBe(
      0,
    );
  });

  it('counts HTTP requests by route pattern, never by raw URL', async () => {
    await t.request
      .get('/v1/hosts/00000000-0000-0000-0000-000000000000')
      .set('authorization', `Bearer ${t.adminToken}`);
    await t.request.get('/no/such/route/\u00e9?x=1');
    await t.request.get('/healthz');
    await t.request.get('/healthz');
    const text = (await t.request.get('/metrics')).text;
    expect(
      sample(text, 'sandtrap_http_requests_total', { method: 'GET', route: '/healthz', status: '200' }),
    ).toBe(2);
    expect(text).toContain('route="unmatched"');
    expect(text).not.toContain('00000000-0000-0000-0000-000000000000');
    expect(text).not.toContain('/no/such/route');
    expect(
      sample(text, 'sandtrap_http_requests_total', {
        method: 'POST',
        route: '/v1/hosts/:id/heartbeat',
        status: '204',
      }),
    ).toBe(1);
  });
});

describe('GET /metrics with SANDTRAP_METRICS_TOKEN', () => {
  let t: TestApp;
  const token = 'metrics-scrape-token-0123456789';
  beforeAll(async () => {
    t = await startTestApp({ env: { SANDTRAP_METRICS_TOKEN: token } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 401 in the error shape without the token, or with a wrong or admin token', async () => {
    for (const header of [
      undefined,
      'Bearer nope',
      `Bearer ${t.adminToken}`,
      `Basic ${token}`,
      'Bearer \t%00 ;; garbage',
    ]) {
      const req = t.request.get('/metrics');
      const res = await (header === undefined ? req : req.set('authorization', header));
      expect(res.status, String(header)).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
      expect(res.text).not.toContain('sandtrap_');
    }
  });

  it('serves metrics with the token', async () => {
    const res = await t.request.get('/metrics').set('authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('sandtrap_violations_total');
  });
});
