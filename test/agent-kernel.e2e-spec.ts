import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdKernelLock } from './kernel/kernel-lock.js';
import { AgentProcess, AgentStack, auditdRunning, until } from './agent-support.js';
import { runProbe } from './kernel/run-probe.js';

/**
 * Real seccomp records from this kernel (test/kernel/seccomp-probe.c), read by the spawned agent
 * from /dev/kmsg and stored by the spawned service: the exact events must arrive. auditd must not
 * run (it takes the records from kmsg); the kernel lock keeps test/agent-auditd's auditd away, so
 * auditd running under the lock was started by someone else, and the test then skips.
 */
const skipReason = process.getuid?.() !== 0 ? 'not root: cannot read /dev/kmsg' : undefined;
if (skipReason !== undefined) console.log(`agent-kernel: skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('agent kmsg source on this kernel', () => {
  let stack: AgentStack;
  let agent: AgentProcess;
  let dir: string;
  let auditdOwnsRecords = false;
  const host = `agent-kernel-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    auditdOwnsRecords = auditdRunning();
    if (auditdOwnsRecords) return;
    stack = await AgentStack.start('agent-kernel');
    dir = mkdtempSync(join(tmpdir(), 'sandtrap-agent-kernel-'));
    agent = new AgentProcess([
      '--config',
      stack.agentConfig(dir, host, { sources: { kmsg: { enabled: true } } }),
    ]);
    agent.start();
    await stack.enrolled(host);
    await sleep(500);
  });
  afterAll(async () => {
    await agent?.kill('SIGTERM');
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('stores exactly the logged, errno-logged and killed calls, none of the silent errno ones', async (ctx) => {
    if (auditdOwnsRecords) ctx.skip('auditd is running: SECCOMP records go to audit.log, not /dev/kmsg');
    const runs = [
      await runProbe('log'),
      await runProbe('errno-log'),
      await runProbe('kill'),
      await runProbe('errno'),
    ];
    const silentPids = new Set(runs[3].calls.map((c) => c.pid));
    const expected = runs
      .slice(0, 3)
      .flatMap((run) => run.calls)
      .filter((call) => call.expected !== 'allow')
      .map((call) => `${call.pid} ${call.syscall} ${call.expected}`)
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    const pids = [...new Set([...runs.flatMap((r) => r.calls.map((c) => c.pid)), ...silentPids])];
    await until(
      'the probe events',
      async () => ((await stack.violations(host, pids)).length >= expected.length ? true : undefined),
      30_000,
    );
    await sleep(1000); // nothing more may arrive
    const stored = await stack.violations(host, pids);
    expect(stored.map((r) => `${r.pid} ${r.syscall_name} ${r.action}`).sort()).toEqual(expected);
    expect(new Set(stored.map((r) => r.source))).toEqual(new Set(['kmsg']));
    expect(stored.some((r) => silentPids.has(r.pid))).toBe(false);
  }, 90_000);
});

// Never overlap the other kernel suites (auditd takes the records from /dev/kmsg).
holdKernelLock();
