import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdKernelLock } from './kernel/kernel-lock.js';
import { AgentStack, until } from './agent-support.js';
import { runProbe } from './kernel/run-probe.js';
import { sensorSkipReason } from './kernel/sensor-requirements.js';

/**
 * The whole path of the eBPF sensor: the spawned agent (built, with only the bpf source) runs
 * bpftrace, ships to the spawned service, and the violation is stored. The denials here are
 * ERRNO without FILTER_FLAG_LOG: the kernel never audits them, only the sensor sees them.
 */
const skipReason = await sensorSkipReason();
if (skipReason) console.log(`sensor-agent: skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('agent bpf source into the service', () => {
  let stack: AgentStack;
  const host = `sensor-agent-${randomBytes(4).toString('hex')}`;
  const rowsOf = (pids: number[]) => stack.violations(host, pids);

  beforeAll(async () => {
    stack = await AgentStack.start('sensor-agent');
    stack.agent(host, { sources: { bpf: { enabled: true } } }).start();
    // bpftrace takes a few seconds to attach: denials before that are not seen. Probe until one
    // arrives; the test then starts from a sensor known to be running.
    const warmup: number[] = [];
    await until(
      'the bpf source to report',
      async () => {
        if ((await rowsOf(warmup)).length > 0) return true;
        warmup.push((await runProbe('errno')).pid);
        return undefined;
      },
      90_000,
    );
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('stores the unaudited ERRNO denials and the SIGSYS kill, and nothing of the allowed calls', async () => {
    const errno = await runProbe('errno', { repeat: 2 });
    const threaded = await runProbe('errno-thread');
    const kill = await runProbe('kill');
    const allow = await runProbe('allow');
    const expected = [...errno.calls, ...threaded.calls, ...kill.calls]
      .filter((call) => call.expected !== 'allow')
      .map((call) => `${call.pid} ${call.syscall} ${call.expected} bpf`)
      .sort();
    const pids = [...new Set([errno.pid, threaded.pid, allow.pid, ...kill.calls.map((c) => c.pid)])];
    await until('the sensor events', async () =>
      (await rowsOf(pids)).length >= expected.length ? true : undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // nothing more may arrive
    const stored = await rowsOf(pids);
    expect(stored.map((r) => `${r.pid} ${r.syscall_name} ${r.action} ${r.source}`).sort()).toEqual(expected);
    expect(stored.some((r) => r.pid === allow.pid)).toBe(false);
  }, 90_000);
});

// Never overlap the other kernel suites (auditd takes the records from /dev/kmsg).
holdKernelLock();
