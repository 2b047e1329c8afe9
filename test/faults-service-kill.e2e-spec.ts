import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldRollupDeltas } from '@sandtrap/api';
import type { SecurityEvent } from '@sandtrap/events';
import { ADMIN, freePort, Service, until } from './agent-support.js';
import { ndjson, seccompEvent } from './fixtures/ingest/security-events.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

const BATCH = 10_000; // the most one request may carry

/**
 * Issue 7, fault 2: the service (apps/api/dist, a child process) is SIGKILLed while a big batch
 * is being written. A batch is all there or not at all: the rows of its keys number 0 or BATCH,
 * never anything between, and the rollups agree; after a restart, the resend makes it exact.
 */
describe('faults: service SIGKILLed mid-batch', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let service: Service;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    service = new Service(await freePort(), db.url);
    await service.start();
  });
  afterAll(async () => {
    await service?.stop();
    await pool?.end();
    await db?.drop();
  });

  const batchOf = (round: number): SecurityEvent[] =>
    Array.from({ length: BATCH }, (_, i) =>
      seccompEvent(i, { host: `kill-host-${round}`, eventKey: `kill:${round}:${i}` }),
    );
  const post = (events: SecurityEvent[]) =>
    fetch(`${service.url}/v1/ingest/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/x-ndjson' },
      body: ndjson(events),
    });
  /** The service's sessions on the test database: what each is doing. */
  const serviceSessions = async () =>
    (
      await pool.query<{ state: string; query: string }>(
        `SELECT state, left(query, 60) AS query FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
      )
    ).rows;
  // The rollup as queries read it: the deltas of the batches that committed are folded first.
  const storedOf = async (round: number) => {
    await foldRollupDeltas(pool);
    const { rows } = await pool.query<{ stored: string; rollup: string }>(
      `SELECT (SELECT count(*) FROM violations WHERE event_key LIKE $1) AS stored,
              (SELECT coalesce(sum(c.count), 0) FROM violation_counts c JOIN hosts h ON h.id = c.host_id
                WHERE h.name = $2) AS rollup`,
      [`kill:${round}:%`, `kill-host-${round}`],
    );
    return { stored: Number(rows[0].stored), rollup: Number(rows[0].rollup) };
  };
  const sigkill = async () => {
    const child = service.child!;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    // Rows of a killed transaction are invisible, but a COMMIT already on its way could still
    // land: count only once every session of the dead process is gone.
    await until('the dead service’s sessions to end', async () =>
      (await serviceSessions()).length === 0 ? true : undefined,
    );
  };

  const restart = async () => {
    await service.start();
    await until('service ready', async () =>
      (await fetch(`${service.url}/readyz`)).status === 200 ? true : undefined,
    );
  };

  it('leaves each batch whole or absent when killed in its transaction, and the resend makes every count exact', async () => {
    const batches: SecurityEvent[][] = [];
    /** Sends a batch; `answered` turns true when the service answered. */
    const send = (events: SecurityEvent[]) => {
      batches.push(events);
      const state = { answered: false, status: Promise.resolve(0) };
      state.status = post(events).then(
        async (r) => {
          state.answered = true;
          await r.arrayBuffer();
          return r.status;
        },
        () => 0, // the connection died with the service
      );
      return state;
    };
    const writing = async () =>
      (await serviceSessions()).find(
        (s) => s.state === 'active' || s.state.startsWith('idle in transaction'),
      );

    // How long the database part of one batch takes here, from its first statement to the answer.
    const calibration = send(batchOf(0));
    const seen = await until('the batch in the database', async () =>
      calibration.answered || (await writing()) ? Date.now() : undefined,
    );
    expect(await calibration.status).toBe(202);
    const writeMs = Math.max(20, Date.now() - seen);
    expect(await storedOf(0)).toEqual({ stored: BATCH, rollup: BATCH });

    // Kills spread over the write: at its first statement, then a quarter, half... of the way.
    // A write may end before a late kill lands (a batch by COPY takes little time here): while
    // fewer than three kills have landed inside a transaction, more rounds kill early in it.
    const killed: string[] = [];
    const fractions = [0, 0.25, 0.5, 0.75, 0.9, 1];
    for (let k = 0; k < fractions.length || (killed.length < 3 && k < 12); k++) {
      const round = k + 1;
      const fraction = k < fractions.length ? fractions[k] : fractions[k % 3];
      const request = send(batchOf(round));
      await until('the batch in the database', async () =>
        request.answered || (await writing()) ? true : undefined,
      );
      await sleep(fraction * writeMs);
      const during = request.answered ? undefined : await writing();
      await sigkill();
      const status = await request.status;
      const after = await storedOf(round);
      if (status === 0 && during) killed.push(`${during.state}: ${during.query} -> ${after.stored}`);
      expect([0, BATCH], `round ${round}, killed while ${during?.query}`).toContain(after.stored);
      if (status === 202) expect(after.stored).toBe(BATCH);
      expect(after.rollup).toBe(after.stored);
      await restart();
    }
    // Most kills landed inside a transaction of the batch (the rest after it had been answered).
    expect(killed.length, killed.join('\n')).toBeGreaterThanOrEqual(3);

    // Killed while the body is still arriving: nothing of it is stored.
    const early = send(batchOf(100));
    await sleep(5);
    await sigkill();
    expect([0, 202]).toContain(await early.status);
    expect([0, BATCH]).toContain((await storedOf(100)).stored);
    await restart();

    // Everything sent again, as an agent resends what was never acknowledged: exact counts.
    let accepted = 0;
    let duplicates = 0;
    const before = Number((await pool.query('SELECT count(*) AS n FROM violations')).rows[0].n);
    for (const events of batches) {
      const r = await post(events);
      expect(r.status).toBe(202);
      const body = (await r.json()) as { accepted: number; duplicates: number; rejected: number };
      expect(body.rejected).toBe(0);
      expect(body.accepted + body.duplicates).toBe(BATCH);
      accepted += body.accepted;
      duplicates += body.duplicates;
    }
    const total = batches.length * BATCH;
    expect(duplicates).toBe(before);
    expect(accepted).toBe(total - before);
    expect(Number((await pool.query('SELECT count(*) AS n FROM violations')).rows[0].n)).toBe(total);
    await foldRollupDeltas(pool);
    const rollup = await pool.query<{ n: string }>('SELECT sum(count) AS n FROM violation_counts');
    expect(Number(rollup.rows[0].n)).toBe(total);
  }, 150_000);
});
