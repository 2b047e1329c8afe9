import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdKernelLock } from './kernel/kernel-lock.js';
import { AgentProcess, ADMIN, freePort, Service, until } from './agent-support.js';
import { runProbe, type ProbeCall } from './kernel/run-probe.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * Issue 4 via auditd: the real auditd (started here, stopped afterwards) writes this kernel's
 * SECCOMP records to audit.log, the spawned agent tails only that file and the spawned service
 * stores the events. Holds the kernel lock: while auditd runs, /dev/kmsg sees no audit records.
 */
const AUDITD = '/usr/sbin/auditd';
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

const ACTION: Record<ProbeCall['expected'], string> = {
  allow: 'allow',
  log: 'log',
  errno: 'errno',
  kill_process: 'kill_process',
  kill_thread: 'kill_thread',
  trap: 'trap',
};

describe.skipIf(skipReason !== undefined)('agent auditd source on this kernel', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let service: Service;
  let agent: AgentProcess;
  let dir: string;
  let before: AuditStatus | undefined;
  const host = `agent-auditd-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    before = auditStatus();
    // Start the daemon directly (policy-rc.d forbids init scripts here); it forks and registers.
    if (before.pid === 0) {
      execFileSync(AUDITD);
      await until('auditd registered', async () => (auditStatus().pid > 0 ? true : undefined), 20_000);
    }
    await until('audit.log', async () => (existsSync(AUDIT_LOG) ? true : undefined), 20_000);
    expect(auditStatus().enabled).toBeGreaterThan(0);

    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    service = new Service(await freePort(), db.url);
    await service.start();
    const created = await fetch(`${service.url}/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'agent-auditd', role: 'ingest' }),
    });
    const enrollToken = ((await created.json()) as { token: string }).token;
    dir = mkdtempSync(join(tmpdir(), 'sandtrap-agent-auditd-'));
    const config = join(dir, 'agent.yaml');
    writeFileSync(
      config,
      JSON.stringify({
        server: { url: service.url, enrollToken },
        host: { name: host },
        stateDir: join(dir, 'state'),
        shipping: { batchSize: 100, flushMs: 100 },
        metrics: { enabled: false },
        profiles: { enabled: false },
        sources: { auditd: { enabled: true, path: AUDIT_LOG } },
      }),
    );
    agent = new AgentProcess(['--config', config]);
    agent.start();
    await until('agent enrollment', async () =>
      (await pool.query('SELECT 1 FROM hosts WHERE name = $1', [host])).rowCount === 1 ? true : undefined,
    );
    await sleep(500);
  }, 180_000);

  afterAll(async () => {
    await agent?.kill('SIGTERM');
    await service?.stop();
    await pool?.end();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    // Restore what we found, so the kmsg suites see records again.
    if (before && before.pid === 0) {
      const pid = auditStatus().pid;
      if (pid > 0) {
        execFileSync('auditctl', ['--signal', 'stop']);
        await until('auditd stopped', async () => (auditStatus().pid === 0 ? true : undefined), 20_000).catch(
          () => process.kill(pid, 'SIGKILL'),
        );
      }
      execFileSync('auditctl', ['-e', String(before.enabled)]);
    }
  }, 60_000);

  it('stores exactly the logged, errno-logged and killed calls from audit.log, none of the silent ones', async () => {
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
      .map((call) => `${call.pid} ${call.syscall} ${ACTION[call.expected]}`)
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    const pids = [...new Set(runs.flatMap((r) => r.calls.map((c) => c.pid)))];
    const rows = async () =>
      (
        await pool.query<{ pid: number; syscall_name: string; action: string; source: string }>(
          `SELECT pid, syscall_name, action, source FROM violations v JOIN hosts h ON h.id = v.host_id
           WHERE h.name = $1 AND pid = ANY($2::int[])`,
          [host, pids],
        )
      ).rows;
    await until(
      'the probe events',
      async () => ((await rows()).length >= expected.length ? true : undefined),
      30_000,
    );
    await sleep(1500); // auditd flushes incrementally: nothing more may arrive
    const stored = await rows();
    expect(stored.length).toBe(expected.length);
    expect(stored.map((r) => `${r.pid} ${r.syscall_name} ${r.action}`).sort()).toEqual(expected);
    expect(new Set(stored.map((r) => r.source))).toEqual(new Set(['auditd']));
    expect(stored.some((r) => silentPids.has(r.pid))).toBe(false);
  }, 90_000);
});

holdKernelLock();
