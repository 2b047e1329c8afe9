import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

const run = promisify(execFile);
const BIN = path.resolve('apps/cli/bin/sandtrap.js');

/** The built `sandtrap` command against the real service (npm test builds dist first). */
describe('sandtrap policy / rollout CLI', () => {
  let t: TestApp;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  const cli = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  beforeAll(async () => {
    t = await startTestApp();
    dir = await mkdtemp(path.join(tmpdir(), 'sandtrap-cli-'));
    env = { ...process.env, SANDTRAP_URL: t.baseUrl, SANDTRAP_TOKEN: await t.tokenFor('operator') };
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await t?.close();
  });

  it('applies a profile file: creates, then makes a new version, then says unchanged', async () => {
    const file = path.join(dir, 'web.json');
    const profile = {
      defaultAction: 'SCMP_ACT_ERRNO',
      architectures: ['SCMP_ARCH_X86_64'],
      syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }],
    };
    await writeFile(file, JSON.stringify(profile));
    const first = await cli('policy', 'apply', '-f', file, '--name', 'web', '-m', 'first');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/policy web created as version 1/);
    expect(first.stdout).toMatch(/warning unaudited-block/);

    profile.syscalls.push({ names: ['write'], action: 'SCMP_ACT_ALLOW' });
    await writeFile(file, JSON.stringify(profile));
    expect((await cli('policy', 'apply', '-f', file, '--name', 'web')).stdout).toMatch(
      /updated to version 2/,
    );
    expect((await cli('policy', 'apply', '-f', file, '--name', 'web')).stdout).toMatch(
      /unchanged at version 2/,
    );
  });

  it('shows a diff table, exports SPO YAML, lists as JSON', async () => {
    const diff = await cli('policy', 'diff', 'web', '1', '2');
    expect(diff.stdout).toMatch(/^ARCH\s+SYSCALL\s+V1\s+V2/m);
    expect(diff.stdout).toMatch(/x86_64\s+write\s+ERRNO\(1\)\s+ALLOW/);
    const spo = await cli('policy', 'export', 'web', '--format', 'spo');
    expect(spo.stdout).toMatch(/kind: SeccompProfile/);
    const list = await cli('policy', 'list', '--output', 'json');
    expect(JSON.parse(list.stdout).items[0]).toMatchObject({ name: 'web', latestVersion: 2 });
  });

  it('reads every page of a list, in order', async () => {
    for (const name of ['pages-b', 'pages-a', 'pages-c'])
      expect((await cli('policy', 'apply', '-f', path.join(dir, 'web.json'), '--name', name)).code).toBe(0);
    const names = (stdout: string) =>
      (JSON.parse(stdout) as { items: { name: string }[] }).items.map((p) => p.name);
    const whole = await t.request.get('/v1/policies').set('authorization', `Bearer ${env.SANDTRAP_TOKEN}`);
    const onePerPage = await run(process.execPath, [BIN, 'policy', 'list', '--output', 'json'], {
      env: { ...env, SANDTRAP_PAGE_SIZE: '1' },
    });
    expect(names(onePerPage.stdout)).toEqual(whole.body.items.map((p: { name: string }) => p.name));
    expect(names(onePerPage.stdout)).toEqual(expect.arrayContaining(['pages-a', 'pages-b', 'pages-c']));
    expect(names((await cli('policy', 'list', '--output', 'json')).stdout)).toEqual(names(onePerPage.stdout));
  });

  it('reports the service error with field pointers and exits 1', async () => {
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ defaultAction: 'SCMP_ACT_MAYBE' }));
    const res = await cli('policy', 'apply', '-f', bad, '--name', 'bad');
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/400 validation_failed/);
    expect(res.stderr).toMatch(/\/profile\/defaultAction/);
    const noToken = await run(process.execPath, [BIN, 'policy', 'list'], {
      env: { ...env, SANDTRAP_TOKEN: '' },
    }).catch((e: { stderr: string }) => e);
    expect((noToken as { stderr: string }).stderr).toMatch(/no API token/);
  });

  it('shows rollout status of an assignment', async () => {
    const enroll = await t.request
      .post('/v1/hosts/enroll')
      .set('authorization', `Bearer ${t.adminToken}`)
      .send({ hostname: 'cli-host' });
    expect(enroll.status).toBe(201);
    const assign = await t.request
      .post('/v1/assignments')
      .set('authorization', `Bearer ${env.SANDTRAP_TOKEN}`)
      .send({ policy: 'web', version: 2, selector: { hostNames: ['cli-host'] }, mode: 'log' });
    expect(assign.status).toBe(201);
    const all = await cli('rollout', 'status');
    expect(all.stdout).toMatch(new RegExp(`${assign.body.id}\\s+web\\s+2\\s+log\\s+complete\\s+0\\s+1`));
    const one = await cli('rollout', 'status', assign.body.id);
    expect(one.stdout).toMatch(/cli-host\s+2\s+pending/);
  });
});
