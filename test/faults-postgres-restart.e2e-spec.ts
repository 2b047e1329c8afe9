import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { foldRollupDeltas } from '@sandtrap/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentProcess, ADMIN, freePort, seccompLine, Service, until } from './agent-support.js';
import { ndjson, seccompEvent } from './fixtures/ingest/security-events.js';
import { createPrivatePostgres, type PrivatePostgres } from './support/private-postgres.js';

/**
 * Issue 7, fault 1: the database goes away in the middle of ingest and comes back. The service
 * (apps/api/dist) and the real agent (apps/agent/dist) run as processes on a PostgreSQL of this
 * suite's own, which is stopped with `pg_ctl stop` (never the shared server).
 */
describe('faults: PostgreSQL stopped and restarted mid-ingest', () => {
  let server: PrivatePostgres;
  let databaseUrl: string;
  let service: Service;
  let ingestToken: string;
  let dir: string;
  const agents: AgentProcess[] = [];
  /** Loops that feed the service stop when this turns false (also when a test fails half way). */
  let producing = false;

  beforeAll(async () => {
    server = await createPrivatePostgres();
    await server.start();
    databaseUrl = await server.createDatabase('sandtrap_faults');
    service = new Service(await freePort(), databaseUrl);
    await service.start();
    await until('service ready', async () =>
      (await fetch(`${service.url}/readyz`)).status === 200 ? true : undefined,
    );
    const created = await fetch(`${service.url}/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'faults-ingest', role: 'ingest' }),
    });
    ingestToken = ((await created.json()) as { token: string }).token;
    dir = mkdtempSync(join(tmpdir(), 'sandtrap-faults-pg-'));
  });
  afterAll(async () => {
    producing = false;
    for (const agent of agents) await agent.kill('SIGKILL');
    await service?.stop();
    await server?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A new connection per question: the server goes away in between, and a pool would keep dead ones. */
  // The rollup deltas of committed batches are folded first, so the tiers hold every count.
  const query = async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await foldRollupDeltas(client);
      return (await client.query<R>(sql, params)).rows;
    } finally {
      await client.end();
    }
  };
  const counts = async (host: string) => {
    const [row] = await query<{ stored: string; keys: string; rollup: string }>(
      `SELECT (SELECT count(*) FROM violations v JOIN hosts h ON h.id = v.host_id WHERE h.name = $1) AS stored,
              (SELECT count(DISTINCT event_key) FROM violations v JOIN hosts h ON h.id = v.host_id WHERE h.name = $1) AS keys,
              (SELECT coalesce(sum(count), 0) FROM violation_counts c JOIN hosts h ON h.id = c.host_id WHERE h.name = $1) AS rollup`,
      [host],
    );
    return { stored: Number(row.stored), keys: Number(row.keys), rollup: Number(row.rollup) };
  };
  const postEvents = (body: string) =>
    fetch(`${service.url}/v1/ingest/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingestToken}`, 'content-type': 'application/x-ndjson' },
      body,
    });
  const readyz = async () => (await fetch(`${service.url}/readyz`)).status;

  it('answers 503 with Retry-After and readyz 503 while it is down; the agent retries and every event is stored once', async () => {
    const host = `faults-pg-${randomBytes(4).toString('hex')}`;
    const log = join(dir, `${host}.audit.log`);
    let serial = 1;
    const produce = (n: number) => {
      const lines: string[] = [];
      for (let i = 0; i < n; i++) lines.push(seccompLine(serial++));
      appendFileSync(log, lines.join('\n') + '\n');
    };
    const config = join(dir, `${host}.yaml`);
    writeFileSync(
      config,
      JSON.stringify({
        server: { url: service.url, enrollToken: ingestToken },
        host: { name: host, labels: { suite: 'faults-postgres' } },
        stateDir: join(dir, host, 'state'),
        shipping: { batchSize: 100, flushMs: 100, maxBackoffMs: 1000 },
        heartbeatSeconds: 1,
        metrics: { enabled: false },
        profiles: { dir: join(dir, host, 'profiles'), syncSeconds: 1 },
        sources: { auditd: { enabled: true, path: log, fromStart: true } },
      }),
    );
    produce(300);
    const agent = new AgentProcess(['--config', config]);
    agents.push(agent);
    agent.start();
    await until('the first 300 events', async () => ((await counts(host)).stored === 300 ? true : undefined));

    // Events keep coming (20 every 100 ms from the agent's log, and batches of 1,000 from three
    // direct senders that resend a refused batch after Retry-After, as a client should) while the
    // database stops under them.
    producing = true;
    const producer = (async () => {
      while (producing) {
        produce(20);
        await sleep(100);
      }
    })();
    const statuses: number[] = [];
    let retryAfterSeen = false;
    let directEvents = 0;
    const sender = async (n: number) => {
      for (let seq = 0; producing; seq++) {
        const batch = Array.from({ length: 1000 }, (_, i) =>
          seccompEvent(i, { host: `${host}-direct`, eventKey: `direct:${n}:${seq}:${i}` }),
        );
        directEvents += batch.length;
        for (;;) {
          const answer = await postEvents(ndjson(batch)).catch(() => undefined);
          statuses.push(answer?.status ?? 0);
          if (answer?.status === 202) break;
          const retryAfter = answer?.headers.get('retry-after');
          if (retryAfter) retryAfterSeen = true;
          await answer?.arrayBuffer();
          await sleep(retryAfter ? Number(retryAfter) * 1000 : 1000);
        }
      }
    };
    const senders = [0, 1, 2].map(sender);
    await sleep(1500);
    await server.stop('fast');

    // The service outlives its database: a process that dies with it turns a database restart
    // into a fleet-wide outage that lasts until someone restarts the service.
    await sleep(500);
    expect(service.child?.exitCode, 'the service exited when PostgreSQL stopped').toBeNull();
    expect(service.child?.signalCode).toBeNull();
    expect(await until('readyz 503', async () => ((await readyz()) === 503 ? true : undefined))).toBe(true);
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    const single = Array.from({ length: 50 }, (_, i) => seccompEvent(i, { host: `${host}-single` }));
    const refused = await postEvents(ndjson(single));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    const refusal = (await refused.json()) as { error: { code: string } };
    expect(['unavailable', 'ingest_unavailable']).toContain(refusal.error.code);

    await sleep(3000); // down for a while: the agent's batches wait in its spool
    await server.start();
    await until('readyz 200 again', async () => ((await readyz()) === 200 ? true : undefined));
    await sleep(1000);
    producing = false;
    await Promise.all([producer, ...senders]);
    const produced = serial - 1;
    expect(produced).toBeGreaterThan(400);
    expect(statuses).toContain(503);
    expect(retryAfterSeen).toBe(true);
    expect(statuses.filter((s) => s !== 202 && s !== 503)).toEqual([]);

    // The refused batch, sent again as a client does after Retry-After, is taken whole.
    const resent = await postEvents(ndjson(single));
    expect(resent.status).toBe(202);
    expect(await resent.json()).toMatchObject({ accepted: 50, duplicates: 0, rejected: 0 });

    await until(
      'every produced event',
      async () => ((await counts(host)).stored === produced ? true : undefined),
      90_000,
    );
    await sleep(1500); // late retries would show up as extra rows (or extra rollup counts) now
    expect(await counts(host)).toEqual({ stored: produced, keys: produced, rollup: produced });
    expect(await counts(`${host}-single`)).toEqual({ stored: 50, keys: 50, rollup: 50 });
    expect(await counts(`${host}-direct`)).toEqual({
      stored: directEvents,
      keys: directEvents,
      rollup: directEvents,
    });
    await agent.kill('SIGTERM');
  }, 150_000);

  it('comes back after a crash of the database (immediate stop) without a restart of the service', async () => {
    const host = `faults-pg-crash-${randomBytes(4).toString('hex')}`;
    const batch = (from: number) => Array.from({ length: 200 }, (_, i) => seccompEvent(from + i, { host }));
    const [before, during] = [batch(0), batch(1000)];
    // Independent of the first test: it may have failed with the server or the service down.
    if (!server.running) await server.start();
    if (service.child?.exitCode !== null || service.child.signalCode !== null) await service.start();
    await until('readyz 200', async () => ((await readyz()) === 200 ? true : undefined));
    expect((await postEvents(ndjson(before))).status).toBe(202);

    await server.stop('immediate');
    const refused = await postEvents(ndjson(during));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(await readyz()).toBe(503);

    await server.start(); // crash recovery replays the WAL
    await until('readyz 200 again', async () => ((await readyz()) === 200 ? true : undefined));
    const again = await postEvents(ndjson([...before, ...during]));
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ accepted: 200, duplicates: 200, rejected: 0 });
    expect(await counts(host)).toEqual({ stored: 400, keys: 400, rollup: 400 });
  }, 120_000);
});
