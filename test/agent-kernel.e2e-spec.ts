import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { holdKernelLock } from './kernel/kernel-lock.js';
import { AgentStack, auditdRunning, expectProbesStored, runAuditedProbes } from './agent-support.js';

/**
 * Real seccomp records from this kernel (test/kernel/seccomp-probe.c), read by the spawned agent
 * from /dev/kmsg and stored by the spawned service: the exact events must arrive. auditd must not
 * run (it takes the records from kmsg); the kernel lock keeps test/agent-auditd's auditd away, so
 * auditd running under the lock was started by someone else, and the test then skips.
 */
const skipReason = process.getuid?.() !== 0 ? 'not root: cannot read /dev/kmsg' : undefined;
if (skipReason !== undefined) console.log(`agent-kernel: skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('agent kmsg source on this kernel', () => {
  let stack: AgentStack | undefined;
  let auditdOwnsRecords = false;
  const host = `agent-kernel-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    auditdOwnsRecords = auditdRunning();
    if (auditdOwnsRecords) return;
    stack = await AgentStack.start('agent-kernel');
    await stack.startAgent(host, { sources: { kmsg: { enabled: true } } });
    await sleep(500);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('stores exactly the logged, errno-logged and killed calls, none of the silent errno ones', async (ctx) => {
    if (!stack) return ctx.skip('auditd is running: SECCOMP records go to audit.log, not /dev/kmsg');
    await expectProbesStored(stack, host, await runAuditedProbes(), 'kmsg', 1000);
  }, 90_000);
});

// Never overlap the other kernel suites (auditd takes the records from /dev/kmsg).
holdKernelLock();
