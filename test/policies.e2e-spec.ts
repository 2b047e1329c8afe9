import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

const webProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
  syscalls: [
    { names: ['read', 'write', 'getppid', 'personality'], action: 'SCMP_ACT_ALLOW' },
    { names: ['ptrace'], action: 'SCMP_ACT_KILL_PROCESS' },
  ],
};

const spoYaml = `apiVersion: security-profiles-operator.x-k8s.io/v1beta1
kind: SeccompProfile
metadata:
  name: batch
spec:
  defaultAction: SCMP_ACT_LOG
  architectures: [SCMP_ARCH_X86_64]
  syscalls:
    - names: [mount, umount2]
      action: SCMP_ACT_ERRNO
`;

describe('policies', () => {
  let t: TestApp;
  let operator: string;
  let viewer: string;

  beforeAll(async () => {
    t = await startTestApp();
    operator = await t.tokenFor('operator');
    viewer = await t.tokenFor('viewer');
  });
  afterAll(() => t?.close());

  it('creates version 1 from OCI JSON with its sha256, author and lint warnings', async () => {
    const res = await t.request
      .post('/v1/policies')
      .set(bearer(operator))
      .send({ name: 'web', profile: webProfile, description: 'front end', message: 'first cut' });
    expect(res.status).toBe(201);
    expect(res.headers.etag).toBe('"1"');
    expect(res.body).toMatchObject({ policy: 'web', version: 1, message: 'first cut' });
    expect(res.body.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(res.body.author).toMatch(/^token:/);
    // ERRNO without SECCOMP_FILTER_FLAG_LOG is never audited: the linter says so.
    expect(res.body.warnings.map((w: { code: string }) => w.code)).toContain('unaudited-block');
  });

  it('creates from SPO YAML given as a string and exports it back as SPO and OCI', async () => {
    const res = await t.request
      .post('/v1/policies')
      .set(bearer(operator))
      .send({ name: 'batch', profile: spoYaml });
    expect(res.status).toBe(201);
    expect(res.body.profile).toMatchObject({ defaultAction: 'SCMP_ACT_LOG' });
    const spo = await t.request.get('/v1/policies/batch/versions/1/export?format=spo').set(bearer(viewer));
    expect(spo.status).toBe(200);
    expect(spo.headers['content-type']).toMatch(/yaml/);
    expect(spo.text).toMatch(/kind: SeccompProfile/);
    expect(spo.text).toMatch(/umount2/);
    const oci = await t.request.get('/v1/policies/batch/versions/1/export').set(bearer(viewer));
    expect(oci.headers['content-type']).toMatch(/json/);
    expect(JSON.parse(oci.text)).toMatchObject({ defaultAction: 'SCMP_ACT_LOG' });
    const bad = await t.request.get('/v1/policies/batch/versions/1/export?format=xml').set(bearer(viewer));
    expect(bad.status).toBe(400);
  });

  it('refuses invalid profiles naming the field, a taken name, a bad name and a 10 MB profile, storing nothing', async () => {
    const invalid = await t.request
      .post('/v1/policies')
      .set(bearer(operator))
      .send({
        name: 'broken',
        profile: {
          defaultAction: 'SCMP_ACT_NOPE',
          syscalls: [
            { names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 9, value: 1, op: 'SCMP_CMP_EQ' }] },
          ],
        },
      });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('validation_failed');
    const pointers = invalid.body.error.details.errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).toContain('/profile/defaultAction');
    expect(pointers.some((p: string) => p.startsWith('/profile/syscalls/0/args/0'))).toBe(true);

    const taken = await t.request
      .post('/v1/policies')
      .set(bearer(operator))
      .send({ name: 'web', profile: webProfile });
    expect(taken.status).toBe(409);
    const badName = await t.request
      .post('/v1/policies')
      .set(bearer(operator))
      .send({ name: '../etc', profile: webProfile });
    expect(badName.status).toBe(400);
    expect(badName.body.error.details.errors[0].pointer).toBe('/name');

    const huge = {
      defaultAction: 'SCMP_ACT_ERRNO',
      syscalls: Array.from({ length: 200_000 }, () => ({
        names: ['read'],
        action: 'SCMP_ACT_ALLOW',
        comment: 'x'.repeat(40),
      })),
    };
    const big = await t.request
      .post('/v1/policies')
      .set(bearer(operator))
      .send({ name: 'huge', profile: huge });
    expect(big.status).toBe(413);
    const list = await t.request.get('/v1/policies').set(bearer(viewer));
    expect(list.body.items.map((p: { name: string }) => p.name)).toEqual(['batch', 'web']);
  });

  it('lists policies by name in keyset pages, and refuses a bad limit or cursor naming it', async () => {
    const names = ['page-c', 'page-a', 'page-e', 'page-b', 'page-d'];
    for (const name of names)
      expect(
        (await t.request.post('/v1/policies').set(bearer(operator)).send({ name, profile: webProfile }))
          .status,
      ).toBe(201);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const page = await t.request.get(`/v1/policies?limit=2${query}`).set(bearer(viewer));
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((p: { name: string }) => p.name));
      cursor = page.body.nextCursor;
      pages++;
      // One added while paging, after the cursor: listed once, in its place.
      if (pages === 2)
        await t.request
          .post('/v1/policies')
          .set(bearer(operator))
          .send({ name: 'page-f', profile: webProfile });
    } while (cursor !== null);
    const all = (await t.request.get('/v1/policies').set(bearer(viewer))).body;
    expect(all.nextCursor).toBeNull();
    expect(seen).toEqual(all.items.map((p: { name: string }) => p.name));
    expect(seen.filter((n) => n.startsWith('page-'))).toEqual([
      'page-a',
      'page-b',
      'page-c',
      'page-d',
      'page-e',
      'page-f',
    ]);
    expect(seen).toEqual([...seen].sort());

    for (const [query, pointer] of [
      ['limit=0', '/limit'],
      ['limit=1001', '/limit'],
      ['limit=two', '/limit'],
    ]) {
      const bad = await t.request.get(`/v1/policies?${query}`).set(bearer(viewer));
      expect(bad.status, query).toBe(400);
      expect(
        bad.body.error.details.errors.map((e: { pointer: string }) => e.pointer),
        query,
      ).toContain(pointer);
    }
    for (const cursor of ['garbage', Buffer.from('{"id":1}').toString('base64url')]) {
      const bad = await t.request.get(`/v1/policies?cursor=${cursor}`).set(bearer(viewer));
      expect(bad.status, cursor).toBe(400);
      expect(bad.body.error.code, cursor).toBe('invalid_cursor');
    }
  });

  it('makes a new version only with If-Match on the latest: 428 without, 412 when stale', async () => {
    const v2 = {
      ...webProfile,
      syscalls: [...webProfile.syscalls, { names: ['uname'], action: 'SCMP_ACT_ALLOW' }],
    };
    const missing = await t.request.put('/v1/policies/web').set(bearer(operator)).send({ profile: v2 });
    expect(missing.status).toBe(428);
    const ok = await t.request
      .put('/v1/policies/web')
      .set(bearer(operator))
      .set('if-match', '"1"')
      .send({ profile: v2, message: 'uname' });
    expect(ok.status).toBe(200);
    expect(ok.body.version).toBe(2);
    const stale = await t.request
      .put('/v1/policies/web')
      .set(bearer(operator))
      .set('if-match', '1')
      .send({ profile: webProfile });
    expect(stale.status).toBe(412);
    expect(stale.body.error.details.latestVersion).toBe(2);
    const same = await t.request
      .put('/v1/policies/web')
      .set(bearer(operator))
      .set('if-match', '2')
      .send({ profile: v2 });
    expect(same.body).toMatchObject({ version: 2, unchanged: true });
    const versions = await t.request.get('/v1/policies/web/versions').set(bearer(viewer));
    expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const latest = await t.request.get('/v1/policies/web').set(bearer(viewer));
    expect(latest.headers.etag).toBe('"2"');
    expect(latest.body.description).toBe('front end');
  });

  it('serialises concurrent updates: of two writers on the same version exactly one wins', async () => {
    const make = (name: string) => ({
      ...webProfile,
      syscalls: [...webProfile.syscalls, { names: [name], action: 'SCMP_ACT_ALLOW' }],
    });
    const [a, b] = await Promise.all([
      t.request
        .put('/v1/policies/web')
        .set(bearer(operator))
        .set('if-match', '2')
        .send({ profile: make('getpid') }),
      t.request
        .put('/v1/policies/web')
        .set(bearer(operator))
        .set('if-match', '2')
        .send({ profile: make('gettid') }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 412]);
  });

  it('diffs two versions per arch', async () => {
    const res = await t.request.get('/v1/policies/web/diff?from=1&to=2').set(bearer(viewer));
    expect(res.status).toBe(200);
    const uname = res.body.changes.filter((c: { syscall: string }) => c.syscall === 'uname');
    expect(uname.map((c: { arch: string }) => c.arch).sort()).toEqual(['i386', 'x32', 'x86_64']);
    expect(uname[0]).toMatchObject({ from: { action: 'SCMP_ACT_ERRNO' }, to: { action: 'SCMP_ACT_ALLOW' } });
    expect((await t.request.get('/v1/policies/web/diff?from=1&to=99').set(bearer(viewer))).status).toBe(404);
    expect((await t.request.get('/v1/policies/web/diff?from=x&to=2').set(bearer(viewer))).status).toBe(400);
  });

  it('answers the built-in template, which blocks the dangerous families with reasons', async () => {
    const res = await t.request.get('/v1/policies/template').set(bearer(viewer));
    expect(res.status).toBe(200);
    const blocking = res.body.syscalls.filter((r: { action: string }) => r.action !== 'SCMP_ACT_ALLOW');
    const names = blocking.flatMap((r: { names: string[] }) => r.names);
    expect(names).toEqual(expect.arrayContaining(['kexec_load', 'init_module', 'bpf', 'ptrace', 'mount']));
    expect(
      blocking.every((r: { comment?: string }) => typeof r.comment === 'string' && r.comment.length > 0),
    ).toBe(true);
  });

  it('lets viewers read but not write, and refuses ingest tokens', async () => {
    expect(
      (await t.request.post('/v1/policies').set(bearer(viewer)).send({ name: 'x', profile: webProfile }))
        .status,
    ).toBe(403);
    expect((await t.request.delete('/v1/policies/web').set(bearer(viewer))).status).toBe(403);
    const ingest = await t.tokenFor('ingest');
    expect((await t.request.get('/v1/policies').set(bearer(ingest))).status).toBe(403);
    expect((await t.request.get('/v1/policies')).status).toBe(401);
  });

  it('records every change in the audit log with before and after', async () => {
    const res = await t.request.get('/v1/audit-log?targetType=policy').set(bearer(operator));
    const actions = res.body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['policy.create', 'policy.update']));
    const update = res.body.items.find(
      (e: { action: string; after: { version: number } }) =>
        e.action === 'policy.update' && e.after.version === 2,
    );
    expect(update.before).toMatchObject({ version: 1 });
    expect(update.after).toMatchObject({ version: 2 });
  });
});
