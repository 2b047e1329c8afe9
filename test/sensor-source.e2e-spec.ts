import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, mkdir, mkdtemp, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SecurityEvent } from '@sandtrap/events';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdKernelLock } from './kernel/kernel-lock.js';
// The kernel suite drives the agent's bpf source itself; test/ is not an app.
// eslint-disable-next-line no-restricted-imports
import { BpfSource } from '../apps/agent/src/sources/bpf.source.js';
// eslint-disable-next-line no-restricted-imports
import type { SourceBatch, SourceContext } from '../apps/agent/src/sources/source.js';
import { compileProbe } from './kernel/compile-probe.js';
import { runProbe, type ProbeRun } from './kernel/run-probe.js';
import { sensorSkipReason, waitFor } from './kernel/sensor-requirements.js';

const run = promisify(execFile);

// Runs as root, as CI does: the agent's bpf source with real bpftrace and real seccomp filters.
const skipReason = await sensorSkipReason();
if (skipReason) console.log(`sensor-source: skipped: ${skipReason}`);

interface TestContext extends SourceContext {
  batches: SourceBatch[];
  events(): SecurityEvent[];
  failEmits: boolean;
}

async function testContext(stateDir: string): Promise<TestContext> {
  const bootId = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
  const batches: SourceBatch[] = [];
  const ctx: TestContext = {
    host: 'sensor-source-test',
    bootId,
    stateDir,
    log: pino({ level: process.env.SENSOR_TEST_LOG ?? 'silent' }),
    signal: new AbortController().signal,
    batches,
    failEmits: false,
    events: () => batches.flatMap((b) => b.events),
    async emit(batch) {
      if (ctx.failEmits) throw new Error('spool full');
      batches.push(batch);
    },
  };
  return ctx;
}

const pidsOf = (run: ProbeRun) => new Set([run.pid, ...run.calls.map((c) => c.pid)]);
const eventsOfRun = (ctx: TestContext, run: ProbeRun) =>
  ctx.events().filter((e) => pidsOf(run).has(e.process?.pid ?? -1));

/** A (re)started bpftrace may still be attaching: probe until one denial comes through. */
async function denialSeen(ctx: TestContext, attempts: number): Promise<boolean> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const run = await runProbe('errno');
    const seen = await waitFor(
      () => (eventsOfRun(ctx, run).length === 1 ? true : undefined),
      1_000,
      'a denial',
    ).catch(() => false);
    if (seen) return true;
  }
  return false;
}

describe.skipIf(skipReason !== undefined)('agent bpf source on this kernel', () => {
  let stateDir: string;

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'sandtrap-bpf-source-'));
  });

  afterAll(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it('emits the ERRNO denial and the SIGSYS kill as events, with the container the resolver gives', async () => {
    const ctx = await testContext(stateDir);
    const resolved: number[] = [];
    const source = new BpfSource({
      batchMaxMs: 50,
      resolveContainer: (pid) => (resolved.push(pid), { id: `c-${pid}` }),
    });
    await source.start(ctx);
    try {
      const denied = await runProbe('errno');
      const killed = await runProbe('kill');
      await waitFor(() => (eventsOfRun(ctx, killed).length > 0 ? true : undefined), 10_000, 'the kill event');
      const [denial] = eventsOfRun(ctx, denied);
      const call = denied.calls.find((c) => c.expected === 'errno')!;
      expect(eventsOfRun(ctx, denied)).toHaveLength(1);
      expect(denial).toMatchObject({
        host: 'sensor-source-test',
        bootId: ctx.bootId,
        source: 'bpf',
        action: 'errno',
        process: { pid: call.pid, tid: call.tid },
        syscall: { name: 'personality' },
        errno: { name: 'EPERM' },
        container: { id: `c-${call.pid}` },
      });
      expect(resolved).toContain(call.pid);
      const child = killed.calls.find((c) => c.expected === 'kill_process')!;
      expect(eventsOfRun(ctx, killed)).toEqual([
        expect.objectContaining({
          action: 'kill_process',
          process: expect.objectContaining({ pid: child.pid }),
        }),
      ]);
    } finally {
      await source.stop();
    }
  });

  it('finds the container of a denied process from its cgroup by default', async () => {
    // A docker-shaped cgroup (cgroupfs driver: /docker/<id>) in the pids hierarchy, removed after.
    const id = randomBytes(32).toString('hex');
    const cgroup = (await exists('/sys/fs/cgroup/pids/cgroup.procs'))
      ? `/sys/fs/cgroup/pids/docker/${id}`
      : `/sys/fs/cgroup/docker/${id}`;
    const parentExisted = await exists(join(cgroup, '..'));
    await mkdir(cgroup, { recursive: true });
    const ctx = await testContext(stateDir);
    const source = new BpfSource({ batchMaxMs: 50 });
    await source.start(ctx);
    try {
      const probe = await compileProbe();
      // The shell joins the cgroup, then becomes the probe (same pid), which lives on after the
      // denial as a real process would: the container is read from /proc/<pid>/cgroup.
      const { stdout } = await run('sh', [
        '-c',
        `echo $$ > ${cgroup}/cgroup.procs && exec ${probe} errno --linger-ms 3000`,
      ]);
      const pid = (JSON.parse(stdout.split('\n')[0]!) as { pid: number }).pid;
      const event = await waitFor(
        () => ctx.events().find((e) => e.process?.pid === pid),
        10_000,
        'the denial from the docker cgroup',
      );
      expect(event.container).toEqual({ id });
    } finally {
      await source.stop();
      await rmdir(cgroup).catch(() => undefined);
      if (!parentExisted) await rmdir(join(cgroup, '..')).catch(() => undefined);
    }
  });

  it('stops bpftrace on stop() and emits what it held', async () => {
    const ctx = await testContext(stateDir);
    const source = new BpfSource({ batchMaxMs: 60_000, batchMaxEvents: 1_000 });
    await source.start(ctx);
    const pid = source.sensorPid()!;
    expect(isAlive(pid)).toBe(true);
    const run = await runProbe('errno', { repeat: 3 });
    await waitFor(() => (source.stats().events >= 3 ? true : undefined), 10_000, 'three events read');
    expect(ctx.batches).toHaveLength(0); // held by the long batch window
    await source.stop();
    expect(isAlive(pid)).toBe(false);
    expect(eventsOfRun(ctx, run)).toHaveLength(3);
  });

  it('restarts bpftrace after it dies and keeps reporting', async () => {
    const ctx = await testContext(stateDir);
    const source = new BpfSource({ batchMaxMs: 50, restartInitialMs: 200 });
    await source.start(ctx);
    try {
      const first = source.sensorPid()!;
      process.kill(first, 'SIGKILL');
      const second = await waitFor(
        () => {
          const pid = source.sensorPid();
          return pid !== undefined && pid !== first ? pid : undefined;
        },
        10_000,
        'a new bpftrace',
      );
      expect(source.stats().restarts).toBe(1);
      expect(await denialSeen(ctx, 20)).toBe(true);
      expect(isAlive(second)).toBe(true);
    } finally {
      await source.stop();
    }
  }, 60_000);

  it('keeps retrying when a restart itself fails, and recovers', async () => {
    const ctx = await testContext(stateDir);
    // A bpftrace that fails while the flag file exists, else runs the real one.
    const flag = join(stateDir, 'bpftrace-broken');
    const wrapper = join(stateDir, 'bpftrace-wrapper.sh');
    await writeFile(
      wrapper,
      `#!/bin/sh\n[ -e ${flag} ] && { echo broken >&2; exit 1; }\nexec bpftrace "$@"\n`,
      {
        mode: 0o755,
      },
    );
    const source = new BpfSource({
      bpftrace: wrapper,
      batchMaxMs: 50,
      restartInitialMs: 100,
      restartMaxMs: 400,
    });
    await source.start(ctx);
    try {
      await writeFile(flag, '');
      process.kill(source.sensorPid()!, 'SIGKILL');
      await waitFor(() => (source.stats().restarts >= 3 ? true : undefined), 10_000, 'failed restarts');
      await rm(flag);
      expect(await denialSeen(ctx, 30)).toBe(true);
      // One bpftrace child at a time: each failed launch scheduled exactly one retry. Only bpftrace
      // is counted: this worker has other children (the kernel lock's flock).
      const pgrep = ['-c', '-x', '-P', String(process.pid), 'bpftrace'];
      const { stdout } = await run('pgrep', pgrep).catch(() => ({ stdout: '0' }));
      expect(Number(stdout.trim())).toBe(1);
    } finally {
      await source.stop();
    }
  }, 60_000);

  it('takes bpftrace down with the agent even when the agent is SIGKILLed', async () => {
    // A stand-in agent: node running the built bpf-sensor-process with setpriv, as the source does.
    const built = join(process.cwd(), 'apps/agent/dist/sources/bpf-sensor-process.js');
    const script = `
      const { BpfSensorProcess } = await import(${JSON.stringify(built)});
      const sensor = new BpfSensorProcess({ bpftrace: 'bpftrace', setpriv: 'setpriv',
        program: ${JSON.stringify(join(process.cwd(), 'apps/agent/bpf/seccomp-sensor.bt'))}, onLine() {} });
      await sensor.ready;
      console.log(sensor.pid);
      setInterval(() => {}, 1000);`;
    const agent = spawn('node', ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const bpftracePid = await new Promise<number>((resolve, reject) => {
      agent.stdout.once('data', (data: Buffer) => resolve(Number(data.toString().trim())));
      agent.once('exit', (code) =>
        reject(new Error(`stand-in agent exited (${code}); is apps/agent built?`)),
      );
    });
    expect(isAlive(bpftracePid)).toBe(true);
    agent.kill('SIGKILL');
    await waitFor(() => (isAlive(bpftracePid) ? undefined : true), 10_000, 'bpftrace to follow its parent');
  });

  it('counts events lost when the spool refuses them', async () => {
    const ctx = await testContext(stateDir);
    ctx.failEmits = true;
    const source = new BpfSource({ batchMaxMs: 20 });
    await source.start(ctx);
    try {
      await runProbe('errno', { repeat: 5 });
      await waitFor(() => (source.stats().lost >= 5 ? true : undefined), 10_000, 'five lost');
      expect(ctx.batches).toHaveLength(0);
    } finally {
      await source.stop();
    }
  });

  it('says why it cannot start: no bpftrace, or a program bpftrace refuses', async () => {
    const ctx = await testContext(stateDir);
    await expect(new BpfSource({ bpftrace: '/nonexistent/bpftrace' }).start(ctx)).rejects.toMatchObject({
      code: 'source_unavailable',
      reason: 'NO_BPFTRACE',
    });
    const garbage = join(stateDir, 'garbage.bt');
    await writeFile(garbage, 'tracepoint:nope:nothing { printf("%d\\n", @@@); }\n');
    await expect(new BpfSource({ program: garbage }).start(ctx)).rejects.toMatchObject({
      reason: 'BPFTRACE_FAILED',
      message: expect.stringMatching(/bpftrace exited before attaching/),
    });
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

// Never overlap the other kernel suites (auditd takes the records from /dev/kmsg).
holdKernelLock();
