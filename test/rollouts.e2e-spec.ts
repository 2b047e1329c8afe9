import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecurityEvent } from '@sandtrap/events';
import { AssignmentsService } from '@sandtrap/api';
import { ndjson, seccompEvent } from './fixtures/ingest/security-events.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Allows the calls the "workload" below makes; blocks ptrace, kills on mount. */
const profileV1 = {
  defaultAction: 'SCMP_ACT_ERRNO',
  flags: ['SECCOMP_FILTER_FLAG_LOG'],
  architectures: ['SCMP_ARCH_X86_64'],
  syscalls: [{ names: ['getppid', 'uname', 'personality'], action: 'SCMP_ACT_ALLOW' }],
};
/** Version 2 drops uname and allows ptrace. */
const profileV2 = {
  ...profileV1,
  syscalls: [{ names: ['getppid', 'personality', 'ptrace'], action: 'SCMP_ACT_ALLOW' }],
};

interface Enrolled {
  hostId: string;
  token: string;
  name: string;
}

describe('assignments, rollouts, simulation and generation', () => {
  let t: TestApp;
  let db: pg.Pool;
  let operator: string;
  let ingest: string;
  const hosts: Enrolled[] = [];

  const enroll = async (name: string, labels: Record<string, string>): Promise<Enrolled> => {
    const res = await t.request
      .post('/v1/hosts/enroll')
      .set(bearer(t.adminToken))
      .send({ hostname: name, labels });
    expect(res.status).toBe(201);
    await t.request.patch(`/v1/hosts/${res.body.hostId}`).set(bearer(operator)).send({ labels });
    return { hostId: res.body.hostId, token: res.body.token, name };
  };
  const assignmentsOf = async (h: Enrolled) => {
    const res = await t.request.get(`/v1/hosts/${h.hostId}/assignments`).set(bearer(h.token));
    expect(res.status).toBe(200);
    return res.body.items as {
      policy: string;
      version: number;
      sha256: string;
      mode: string;
      profile: Record<string, unknown>;
    }[];
  };
  const report = (h: Enrolled, profiles: unknown[]) =>
    t.request.post(`/v1/hosts/${h.hostId}/status`).set(bearer(h.token)).send({ profiles });
  const ingestEvents = async (events: SecurityEvent[]) => {
    const res = await t.request
      .post('/v1/ingest/events')
      .set(bearer(ingest))
      .set('content-type', 'application/x-ndjson')
      .send(ndjson(events));
    expect(res.status).toBe(202);
    expect(res.body.rejected).toBe(0);
  };
  /** A recorded seccomp event of `host`: `action` on syscall `name` (x86_64 number `nr`). */
  let seq = 0;
  const recorded = (
    host: string,
    name: string,
    nr: number,
    action: 'log' | 'errno' | 'kill_process',
    exe = '/usr/bin/app',
  ) => {
    seq += 1;
    return seccompEvent(seq, {
      eventKey: `rollout:${host}:${seq}`,
      host,
      syscall: { arch: 'x86_64', nr, name, compat: false },
      action,
      blocked: action !== 'log',
      process: { pid: 100 + seq, comm: 'app', exe },
    });
  };

  beforeAll(async () => {
    t = await startTestApp();
    db = new pg.Pool({ connectionString: t.databaseUrl, max: 2 });
    operator = await t.tokenFor('operator');
    ingest = await t.tokenFor('ingest');
    for (let i = 0; i < 4; i++) hosts.push(await enroll(`web-${i}`, { role: 'web', env: 'prod' }));
    hosts.push(await enroll('db-0', { role: 'db', env: 'prod' }));
    for (const v of [profileV1, profileV2]) {
      const res =
        v === profileV1
          ? await t.request.post('/v1/policies').set(bearer(operator)).send({ name: 'web', profile: v })
          : await t.request
              .put('/v1/policies/web')
              .set(bearer(operator))
              .set('if-match', '1')
              .send({ profile: v });
      expect(res.status).toBeLessThan(300);
    }
  });
  afterAll(async () => {
    await db?.end();
    await t?.close();
  });

  it('refuses a selector that matches nothing and a version that does not exist, changing nothing', async () => {
    const none = await t.request
      .post('/v1/assignments')
      .set(bearer(operator))
      .send({ policy: 'web', version: 1, selector: { matchLabels: { role: 'nope' } }, mode: 'enforce' });
    expect(none.status).toBe(400);
    expect(none.body.error.code).toBe('selector_matches_nothing');
    const missing = await t.request
      .post('/v1/assignments')
      .set(bearer(operator))
      .send({ policy: 'web', version: 9, selector: {}, mode: 'enforce' });
    expect(missing.status).toBe(404);
    const badMode = await t.request
      .post('/v1/assignments')
      .set(bearer(operator))
      .send({ policy: 'web', version: 1, selector: {}, mode: 'yolo' });
    expect(badMode.status).toBe(400);
    expect(badMode.body.error.details.errors[0].pointer).toBe('/mode');
    expect((await t.request.get('/v1/assignments').set(bearer(operator))).body.items).toEqual([]);
  });

  it('assigns version 1 to the web hosts at once; each web host reads it, the db host does not', async () => {
    const res = await t.request
      .post('/v1/assignments')
      .set(bearer(operator))
      .send({ policy: 'web', version: 1, selector: { matchLabels: { role: 'web' } }, mode: 'enforce' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ stage: 'complete', version: 1, summary: { pending: 4, applied: 0 } });
    const mine = await assignmentsOf(hosts[0]);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ policy: 'web', version: 1, mode: 'enforce', profile: profileV1 });
    expect(await assignmentsOf(hosts[4])).toEqual([]);
    // An agent may not read another host's assignments.
    expect(
      (await t.request.get(`/v1/hosts/${hosts[1].hostId}/assignments`).set(bearer(hosts[0].token))).status,
    ).toBe(403);
  });

  it('shows applied, failed and drift from what hosts report', async () => {
    const [a] = await assignmentsOf(hosts[0]);
    expect(
      (
        await report(hosts[0], [
          { policy: 'web', sha256: a.sha256, path: '/var/lib/sandtrap/profiles/web.json' },
        ])
      ).status,
    ).toBe(204);
    await report(hosts[1], [{ policy: 'web', error: 'EROFS: read-only file system' }]);
    await report(hosts[2], [{ policy: 'web', sha256: 'f'.repeat(64) }]);
    const list = await t.request.get('/v1/assignments').set(bearer(operator));
    const id = list.body.items[0].id;
    const one = await t.request.get(`/v1/assignments/${id}`).set(bearer(operator));
    expect(one.body.summary).toEqual({ applied: 1, failed: 1, drift: 1, pending: 1, waiting: 0 });
    const byHost = Object.fromEntries(
      one.body.hosts.map((h: { host: string; status: string }) => [h.host, h.status]),
    );
    expect(byHost).toEqual({ 'web-0': 'applied', 'web-1': 'failed', 'web-2': 'drift', 'web-3': 'pending' });
  });

  it('simulates version 2 against recorded events: newly blocked, newly allowed, unchanged', async () => {
    const now = Date.now();
    await ingestEvents([
      recorded('web-0', 'uname', 63, 'log'), // allowed and logged today; v2 drops uname -> newly blocked
      recorded('web-0', 'uname', 63, 'log'),
      recorded('web-1', 'ptrace', 101, 'errno', '/usr/bin/gdb'), // blocked today; v2 allows -> newly allowed
      recorded('web-1', 'getppid', 110, 'log'), // allowed in both -> unchanged
      recorded('db-0', 'uname', 63, 'log'), // outside the selector
    ]);
    const res = await t.request
      .post('/v1/policies/web/versions/2/simulate')
      .set(bearer(operator))
      .send({
        from: new Date(now - 3_600_000).toISOString(),
        to: new Date(now + 60_000).toISOString(),
        selector: { matchLabels: { role: 'web' } },
      });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ policy: 'web', version: 2, hosts: 4, events: 4 });
    expect(res.body.newlyBlocked.events).toBe(2);
    expect(res.body.newlyBlocked.groups[0]).toMatchObject({
      host: 'web-0',
      syscall: 'uname',
      recordedAction: 'log',
      action: 'errno',
      count: 2,
    });
    expect(res.body.newlyAllowed.groups).toEqual([
      expect.objectContaining({
        host: 'web-1',
        syscall: 'ptrace',
        exe: '/usr/bin/gdb',
        recordedAction: 'errno',
        action: 'allow',
        count: 1,
      }),
    ]);
    expect(res.body.unchanged.events).toBe(1);

    const nobody = await t.request
      .post('/v1/policies/web/versions/2/simulate')
      .set(bearer(operator))
      .send({
        from: new Date(now - 3_600_000).toISOString(),
        to: new Date(now).toISOString(),
        selector: { hostNames: ['ghost'] },
      });
    expect(nobody.status).toBe(400);
    const backwards = await t.request
      .post('/v1/policies/web/versions/2/simulate')
      .set(bearer(operator))
      .send({ from: new Date(now).toISOString(), to: new Date(now - 1000).toISOString() });
    expect(backwards.status).toBe(400);
  });

  it('generates a minimal allow-list from recorded events and saves it as a policy', async () => {
    const now = Date.now();
    const res = await t.request
      .post('/v1/policies/generate')
      .set(bearer(operator))
      .send({
        from: new Date(now - 3_600_000).toISOString(),
        to: new Date(now + 60_000).toISOString(),
        selector: { hostNames: ['web-0', 'web-1'] },
        name: 'web-generated',
      });
    expect(res.status).toBe(200);
    const allowed = res.body.profile.syscalls.flatMap((r: { names: string[] }) => r.names);
    expect(allowed.sort()).toEqual(['getppid', 'ptrace', 'uname']);
    expect(res.body.profile.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(res.body.saved).toMatchObject({ policy: 'web-generated', version: 1 });
    expect((await t.request.get('/v1/policies/web-generated').set(bearer(operator))).status).toBe(200);
  });

  it('rolls version 2 out to a canary first, promotes it, then rolls it back', async () => {
    const res = await t.request
      .post('/v1/assignments')
      .set(bearer(operator))
      .send({
        policy: 'web',
        version: 2,
        selector: { matchLabels: { role: 'web' } },
        mode: 'enforce',
        rollout: { canaryHosts: ['web-3'] },
      });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ stage: 'canary', version: 2, previousVersion: 1 });
    expect((await assignmentsOf(hosts[3]))[0].version).toBe(2);
    expect((await assignmentsOf(hosts[0]))[0].version).toBe(1);

    const promoted = await t.request.post(`/v1/assignments/${res.body.id}/promote`).set(bearer(operator));
    expect(promoted.status).toBe(200);
    expect(promoted.body.stage).toBe('complete');
    expect((await assignmentsOf(hosts[0]))[0].version).toBe(2);
    expect(
      (await t.request.post(`/v1/assignments/${res.body.id}/promote`).set(bearer(operator))).status,
    ).toBe(409);

    const back = await t.request.post(`/v1/assignments/${res.body.id}/rollback`).set(bearer(operator));
    expect(back.body.stage).toBe('rolled_back');
    for (const h of hosts.slice(0, 4)) expect((await assignmentsOf(h))[0].version).toBe(1);
    // A host still reporting version 2 after the rollback is drifting.
    const v2sha = (await t.request.get('/v1/policies/web/versions/2').set(bearer(operator))).body.sha256;
    await report(hosts[3], [{ policy: 'web', sha256: v2sha }]);
    const view = await t.request.get(`/v1/assignments/${res.body.id}`).set(bearer(operator));
    expect(view.body.hosts.find((h: { host: string }) => h.host === 'web-3').status).toBe('drift');
  });

  it('auto-promotes a canary after its soak time only when the canary hosts recorded no new blocked events', async () => {
    const service = t.app.get(AssignmentsService);
    const create = await t.request
      .post('/v1/assignments')
      .set(bearer(operator))
      .send({
        policy: 'web',
        version: 2,
        selector: { matchLabels: { role: 'web' } },
        mode: 'log',
        rollout: { canaryHosts: ['web-2'], soakSeconds: 60 },
      });
    expect(create.body.stage).toBe('canary');
    const id = create.body.id as string;
    // In log mode every blocking action is rewritten to SCMP_ACT_LOG.
    const [canary] = await assignmentsOf(hosts[2]);
    expect(canary.profile.defaultAction).toBe('SCMP_ACT_LOG');

    expect(await service.autoPromote(new Date(Date.now() + 30_000))).toEqual([]); // soak not over
    await ingestEvents([
      { ...recorded('web-2', 'mount', 165, 'errno'), observedAt: new Date().toISOString() },
    ]);
    expect(await service.autoPromote(new Date(Date.now() + 120_000))).toEqual([]); // blocked event on the canary
    expect((await t.request.get(`/v1/assignments/${id}`).set(bearer(operator))).body.stage).toBe('canary');

    // A fresh canary stage with a quiet canary host is promoted once the soak time has passed.
    await db.query(`DELETE FROM violations WHERE host_id = $1 AND syscall_name = 'mount'`, [hosts[2].hostId]);
    expect(await service.autoPromote(new Date(Date.now() + 120_000))).toEqual([id]);
    expect((await t.request.get(`/v1/assignments/${id}`).set(bearer(operator))).body.stage).toBe('complete');
    const audit = await t.request.get('/v1/audit-log?targetType=assignment').set(bearer(operator));
    expect(audit.body.items.map((e: { action: string }) => e.action)).toContain('assignment.auto_promote');
  });

  it('lists assignments oldest first in keyset pages, and refuses a foreign cursor', async () => {
    const second = await t.request
      .post('/v1/assignments')
      .set(bearer(operator))
      .send({ policy: 'web', version: 1, selector: { hostNames: [hosts[4].name] }, mode: 'log' });
    expect(second.status).toBe(201);
    const all = await t.request.get('/v1/assignments?limit=1000').set(bearer(operator));
    expect(all.status).toBe(200);
    expect(all.body.nextCursor).toBeNull();
    expect(all.body.items.length).toBeGreaterThanOrEqual(2);
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const page = await t.request.get(`/v1/assignments?limit=1${query}`).set(bearer(operator));
      expect(page.status).toBe(200);
      expect(page.body.items).toHaveLength(1);
      ids.push(page.body.items[0].id);
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    expect(ids).toEqual(all.body.items.map((a: { id: string }) => a.id));
    const foreign = Buffer.from(JSON.stringify({ name: 'web' })).toString('base64url');
    const bad = await t.request.get(`/v1/assignments?cursor=${foreign}`).set(bearer(operator));
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_cursor');
  });

  it('refuses to delete an assigned policy, then deletes it once unassigned', async () => {
    expect((await t.request.delete('/v1/policies/web').set(bearer(operator))).status).toBe(409);
    const list = await t.request.get('/v1/assignments').set(bearer(operator));
    for (const a of list.body.items) {
      expect((await t.request.delete(`/v1/assignments/${a.id}`).set(bearer(operator))).status).toBe(204);
    }
    expect(await assignmentsOf(hosts[0])).toEqual([]);
    expect((await t.request.delete('/v1/policies/web').set(bearer(operator))).status).toBe(204);
    expect((await t.request.get('/v1/policies/web').set(bearer(operator))).status).toBe(404);
  });
});
