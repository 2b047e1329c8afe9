import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdKernelLock } from './kernel/kernel-lock.js';
import { AgentProcess, ADMIN, freePort, Service, until } from './agent-support.js';
import { runProbe } from './kernel/run-probe.js';
import { sensorSkipReason } from './kernel/sensor-requirements.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * The whole path of the eBPF sensor: the spawned agent (built, with only the bpf source) runs
 * bpftrace, ships to the spawned service, and the violation is stored. The denials here are
 * ERRNO without FILTER_FLAG_LOG: the kernel never audits them, only the sensor sees them.
 */
const skipReason = await sensorSkipReason();
if (skipReason) console.log(`sensor-agent: skipped: ${skipReason}`);

interface Row {
  pid: number;
  syscall_name: string;
  action: string;
  source: string;
}

describe.skipIf(skipReason !== undefined)('agent bpf source into the service', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let service: Service;
  let agent: AgentProcess;
  let dir: string;
  const host = `sensor-agent-${randomBytes(4).toString('hex')}`;
  const rowsOf = async (pids: number[]) =>
    (
      await pool.query<Row>(
        `SELECT pid, syscall_name, action, source FROM violations v JOIN hosts h ON h.id = v.host_id
         WHERE h.name = $1 AND pid = ANY($2::int[])`,
        [host, pids],
      )
    ).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    service = new Service(await freePort(), db.url);
    await service.start();
    const created = await fetch(`${service.url}/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'sensor-agent', role: 'ingest' }),
    });
    const enrollToken = ((await created.json()) as { token: string }).token;
    dir = mkdtempSync(join(tmpdir(), 'sandtrap-sensor-agent-'));
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
        sources: { bpf: { enabled: true } },
      }),
    );
    agent = new AgentProcess(['--config', config]);
    agent.start();
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
    await agent?.kill('SIGTERM');
    await service?.stop();
    await pool?.end();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
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
