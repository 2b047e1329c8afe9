import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentProcess, ADMIN, freePort, Service, until } from './agent-support.js';
import { runProbe, type ProbeCall } from './kernel/run-probe.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * Real seccomp records from this kernel (test/kernel/seccomp-probe.c), read by the spawned agent
 * from /dev/kmsg and stored by the spawned service: the exact events must arrive. auditd must not
 * run (it takes the records from kmsg); the suite does not start or stop it, so other suites on
 * this shared machine keep their record path.
 */
function auditdRunning(): boolean {
  try {
    return /pid\s+[1-9]/.test(execFileSync('auditctl', ['-s'], { encoding: 'utf8' }));
  } catch {
    return false;
  }
}
const skipReason =
  process.getuid?.() !== 0
    ? 'not root: cannot read /dev/kmsg'
    : auditdRunning()
      ? 'auditd is running, so SECCOMP records go to audit.log instead of /dev/kmsg'
      : undefined;
if (skipReason !== undefined) console.log(`agent-kernel: skipped: ${skipReason}`);

const ACTION: Record<ProbeCall['expected'], string> = {
  allow: 'allow',
  log: 'log',
  errno: 'errno',
  kill_process: 'kill_process',
  kill_thread: 'kill_thread',
  trap: 'trap',
};

describe.skipIf(skipReason !== undefined)('agent kmsg source on this kernel', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let service: Service;
  let agent: AgentProcess;
  let dir: string;
  const host = `agent-kernel-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    service = new Service(await freePort(), db.url);
    await service.start();
    const created = await fetch(`${service.url}/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'agent-kernel', role: 'ingest' }),
    });
    const enrollToken = ((await created.json()) as { token: string }).token;
    dir = mkdtempSync(join(tmpdir(), 'sandtrap-agent-kernel-'));
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
        sources: { kmsg: { enabled: true } },
      }),
    );
    agent = new AgentProcess(['--config', config]);
    agent.start();
    // Enrolled and reading: the host row exists.
    await until('agent enrollment', async () =>
      (await pool.query('SELECT 1 FROM hosts WHERE name = $1', [host])).rowCount === 1 ? true : undefined,
    );
    await sleep(500);
  });
  afterAll(async () => {
    await agent?.kill('SIGTERM');
    await service?.stop();
    await pool?.end();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('stores exactly the logged, errno-logged and killed calls, none of the silent errno ones', async () => {
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
    const pids = [...new Set([...runs.flatMap((r) => r.calls.map((c) => c.pid)), ...silentPids])];
    const rows = async () =>
      (
        await pool.query<{ pid: number; syscall_name: string; action: string; source: string; arch: string }>(
          `SELECT pid, syscall_name, action, source, syscall_arch AS arch FROM violations v JOIN hosts h ON h.id = v.host_id
           WHERE h.name = $1 AND pid = ANY($2::int[])`,
          [host, pids],
        )
      ).rows;
    await until(
      'the probe events',
      async () => ((await rows()).length >= expected.length ? true : undefined),
      30_000,
    );
    await sleep(1000); // nothing more may arrive
    const stored = await rows();
    expect(stored.map((r) => `${r.pid} ${r.syscall_name} ${r.action}`).sort()).toEqual(expected);
    expect(new Set(stored.map((r) => r.source))).toEqual(new Set(['kmsg']));
    expect(stored.some((r) => silentPids.has(r.pid))).toBe(false);
  }, 90_000);
});
