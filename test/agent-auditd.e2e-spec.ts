import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileProbe } from './kernel/compile-probe.js';
import { holdKernelLock } from './kernel/kernel-lock.js';
import {
  AgentStack,
  agentMetric,
  expectProbesStored,
  freePort,
  runAuditedProbes,
  until,
} from './agent-support.js';

/**
 * Issue 4 via auditd: the real auditd (started here, stopped afterwards) writes this kernel's
 * SECCOMP records to audit.log, the spawned agent tails only that file and the spawned service
 * stores the events. Holds the kernel lock: while auditd runs, /dev/kmsg sees no audit records.
 */
const AUDITD = '/usr/sbin/auditd';
const AUDITD_CONF = '/etc/audit/auditd.conf';
const AUDIT_LOG = '/var/log/audit/audit.log';

interface AuditStatus {
  enabled: number;
  pid: number;
}
function auditStatus(): AuditStatus {
  const text = execFileSync('auditctl', ['-s'], { encoding: 'utf8' });
  const field = (name: string) => Number(new RegExp(`^${name}\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return { enabled: field('enabled'), pid: field('pid') };
}

const skipReason =
  process.getuid?.() !== 0
    ? 'not root: cannot start auditd'
    : !existsSync(AUDITD)
      ? `${AUDITD} missing (apt-get install auditd)`
      : undefined;
if (skipReason !== undefined) console.log(`agent-auditd: skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('agent auditd source on this kernel', () => {
  let stack: AgentStack;
  let before: AuditStatus | undefined;
  let logExisted = true;
  let metricsPort: number;
  const host = `agent-auditd-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    before = auditStatus();
    logExisted = existsSync(AUDIT_LOG);
    // Start the daemon directly (policy-rc.d forbids init scripts here); it forks and registers.
    if (before.pid === 0) {
      execFileSync(AUDITD);
      await until('auditd registered', async () => (auditStatus().pid > 0 ? true : undefined), 20_000);
    }
    await until('audit.log', async () => (existsSync(AUDIT_LOG) ? true : undefined), 20_000);
    expect(auditStatus().enabled).toBeGreaterThan(0);

    stack = await AgentStack.start('agent-auditd');
    metricsPort = await freePort();
    await stack.startAgent(host, {
      sources: { auditd: { enabled: true, path: AUDIT_LOG } },
      metrics: { enabled: true, listen: `127.0.0.1:${metricsPort}` },
    });
    await sleep(500);
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    // Restore what we found, so the kmsg suites see records again.
    if (before && before.pid === 0) {
      const pid = auditStatus().pid;
      if (pid > 0) {
        // This auditctl has no --signal stop; SIGTERM is auditd's documented clean stop.
        process.kill(pid, 'SIGTERM');
        await until('auditd stopped', async () => (auditStatus().pid === 0 ? true : undefined), 20_000).catch(
          () => process.kill(pid, 'SIGKILL'),
        );
      }
      execFileSync('auditctl', ['-e', String(before.enabled)]);
      if (!logExisted) rmSync(AUDIT_LOG, { force: true });
    }
  }, 60_000);

  it('stores exactly the logged, errno-logged and killed calls from audit.log, none of the silent ones', async () => {
    // auditd flushes incrementally: let 1.5 s pass for anything more to arrive.
    const stored = await expectProbesStored(stack, host, await runAuditedProbes(), 'auditd', 1500);
    // Debian's auditd writes the ENRICHED format: the agent read lines with the 0x1d-separated
    // interpreted fields, not only raw ones.
    if (/^log_format\s*=\s*ENRICHED/im.test(readFileSync(AUDITD_CONF, 'utf8'))) {
      expect(stored.every((r) => r.raw.includes('\u001d'))).toBe(true);
    }
  }, 90_000);

  it('stores the container of a process in a docker-shaped cgroup, read by the agent while it lived', async () => {
    // cgroupfs driver's /docker/<id>, in the pids hierarchy (v1) or the unified one; removed after.
    const id = randomBytes(32).toString('hex');
    const cgroup = existsSync('/sys/fs/cgroup/pids/cgroup.procs')
      ? `/sys/fs/cgroup/pids/docker/${id}`
      : `/sys/fs/cgroup/docker/${id}`;
    const parentExisted = existsSync(join(cgroup, '..'));
    await mkdir(cgroup, { recursive: true });
    const passedThrough = async () =>
      (await agentMetric(metricsPort, 'sandtrap_agent_events_passed_through_total')) ?? NaN;
    const before = { passed: await passedThrough(), stored: await stack.count(host) };
    try {
      const probe = await compileProbe();
      // The shell joins the cgroup, then becomes the probe (same pid), which lingers after its
      // LOG'd call as a container's process would. The record is standalone (no syscall rules):
      // the agent ships it as audit text with the container annotation.
      const out = execFileSync(
        'sh',
        ['-c', `echo $$ > ${cgroup}/cgroup.procs && exec ${probe} log --linger-ms 4000`],
        {
          encoding: 'utf8',
        },
      );
      const pid = (JSON.parse(out.split('\n')[0]!) as { pid: number }).pid;
      const rows = await until(
        'the container probe event',
        async () => {
          const { rows } = await stack.pool.query<{ container_id: string | null; syscall_name: string }>(
            `SELECT v.container_id, v.syscall_name FROM violations v JOIN hosts h ON h.id = v.host_id
             WHERE h.name = $1 AND v.pid = $2`,
            [host, pid],
          );
          return rows.length > 0 ? rows : undefined;
        },
        30_000,
      );
      expect(rows).toEqual([{ container_id: id, syscall_name: 'getppid' }]);
      // It came as audit text: every record stored since went through the agent's passthrough.
      const stored = (await stack.count(host)) - before.stored;
      expect(stored).toBeGreaterThanOrEqual(1);
      expect((await passedThrough()) - before.passed).toBe(stored);
    } finally {
      await rmdir(cgroup).catch(() => undefined);
      if (!parentExisted) await rmdir(join(cgroup, '..')).catch(() => undefined);
    }
  }, 90_000);
});

holdKernelLock();
