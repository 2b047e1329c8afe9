import { randomBytes } from 'node:crypto';
import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentStack, agentMetric, freePort, seccompLine, until } from './agent-support.js';

// The real agent (spawned from apps/agent/dist) against the real service (apps/api/dist) on a
// fresh database: every produced event is stored exactly once through the faults of issue 4.
describe('agent through faults (spawned agent, spawned service, real Postgres)', () => {
  let stack: AgentStack;

  beforeAll(async () => {
    stack = await AgentStack.start('agent-e2e-enroll');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const stored = (host: string) => stack.count(host);
  const agentFor = (name: string, extra: Record<string, unknown>, metricsPort?: number) =>
    stack.agent(name, {
      host: { name, labels: { suite: 'agent-faults' } },
      shipping: { batchSize: 100, flushMs: 100, maxBackoffMs: 1000 },
      heartbeatSeconds: 1,
      metrics: metricsPort ? { enabled: true, listen: `127.0.0.1:${metricsPort}` } : { enabled: false },
      profiles: { dir: join(stack.dir, name, 'profiles'), syncSeconds: 1 },
      ...extra,
    });

  it('stores every event once through rotation under load, agent SIGKILL and a service restart', async () => {
    const host = `agent-faults-${randomBytes(4).toString('hex')}`;
    const log = join(stack.dir, `${host}.audit.log`);
    let serial = 1;
    const produce = (n: number) => {
      const lines: string[] = [];
      for (let i = 0; i < n; i++) lines.push(seccompLine(serial++));
      appendFileSync(log, lines.join('\n') + '\n');
    };
    produce(300);
    const agent = agentFor(host, { sources: { auditd: { enabled: true, path: log, fromStart: true } } });
    agent.start();
    await until('first 300 events', async () => ((await stored(host)) === 300 ? true : undefined));

    // Rotation under load, with the agent SIGKILLed in the middle of it.
    for (let round = 0; round < 6; round++) {
      produce(100);
      if (round === 2) renameSync(log, `${log}.1`);
      if (round === 3) {
        await agent.kill('SIGKILL');
        agent.start();
      }
      await sleep(150);
    }
    await until('900 events', async () => ((await stored(host)) === 900 ? true : undefined));

    // Service down while events keep coming: they wait in the spool.
    await stack.service.stop();
    produce(400);
    await sleep(1500);
    await stack.service.start();
    await until('1300 events', async () => ((await stored(host)) === 1300 ? true : undefined));
    await sleep(1000);
    expect(await stored(host)).toBe(1300);

    // The heartbeat reached the service.
    const hosts = await stack.pool.query<{ health: { eventsRead?: number } | null }>(
      'SELECT health FROM hosts WHERE name = $1',
      [host],
    );
    expect(hosts.rows[0].health).not.toBeNull();
    await agent.kill('SIGTERM');
  }, 120_000);

  it('when the spool is full, stored + counted-dropped = produced', async () => {
    const host = `agent-spoolfull-${randomBytes(4).toString('hex')}`;
    const log = join(stack.dir, `${host}.audit.log`);
    const metricsPort = await freePort();
    const agent = agentFor(
      host,
      {
        sources: { auditd: { enabled: true, path: log, fromStart: true } },
        spool: { maxBytes: 64 * 1024, segmentBytes: 8 * 1024 },
      },
      metricsPort,
    );
    writeFileSync(log, '');
    agent.start();
    await until('enrollment', async () =>
      (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).ok ? true : undefined,
    );
    await sleep(1500); // enrolled and tailing
    await stack.service.stop();
    const produced = 3000;
    appendFileSync(
      log,
      Array.from({ length: produced }, (_, i) => seccompLine(100_000 + i)).join('\n') + '\n',
    );
    await sleep(2000);
    await stack.service.start();
    const metric = (name: string) => agentMetric(metricsPort, name);
    await until('spool drained', async () =>
      (await metric('sandtrap_agent_spool_depth')) === 0 ? true : undefined,
    );
    const dropped = (await metric('sandtrap_agent_events_dropped_total'))!;
    expect(dropped).toBeGreaterThan(0);
    expect((await stored(host)) + dropped).toBe(produced);
    await agent.kill('SIGTERM');
  }, 120_000);

  it('enrolls again when the service no longer knows its saved credential (wiped database)', async () => {
    const host = `agent-reenroll-${randomBytes(4).toString('hex')}`;
    const log = join(stack.dir, `${host}.audit.log`);
    writeFileSync(log, Array.from({ length: 50 }, (_, i) => seccompLine(200_000 + i)).join('\n') + '\n');
    const agent = agentFor(host, { sources: { auditd: { enabled: true, path: log, fromStart: true } } });
    agent.start();
    await until('first 50 events', async () => ((await stored(host)) === 50 ? true : undefined));
    // What a wiped database looks like to the agent: its credential file stays, the service
    // answers 401 to it.
    const revoked = await stack.pool.query(
      `DELETE FROM tokens t USING hosts h WHERE t.host_id = h.id AND h.name = $1 AND t.role = 'agent'`,
      [host],
    );
    expect(revoked.rowCount).toBe(1);
    appendFileSync(log, Array.from({ length: 50 }, (_, i) => seccompLine(200_050 + i)).join('\n') + '\n');
    await until('the next 50 events', async () => ((await stored(host)) === 100 ? true : undefined));
    const tokens = await stack.pool.query(
      `SELECT 1 FROM tokens t JOIN hosts h ON h.id = t.host_id WHERE h.name = $1 AND t.role = 'agent'`,
      [host],
    );
    expect(tokens.rowCount).toBe(1);
    await agent.kill('SIGTERM');
  }, 120_000);
});
