import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecurityEvent } from '@sandtrap/events';
import { PartitionMaintenance, foldRollupDeltas } from '@sandtrap/api';
import { startTestApp, type TestApp } from './support/test-app.js';

const DAY = 86_400_000;
const dayName = (ms: number) => `violations_p${new Date(ms).toISOString().slice(0, 10).replaceAll('-', '')}`;

function event(i: number, observedAtMs: number): SecurityEvent {
  return {
    eventKey: `ret-boot:${i}`,
    observedAt: new Date(observedAtMs).toISOString().replace('Z', '000Z'),
    host: 'ret-host',
    source: 'kmsg',
    kind: 'seccomp',
    syscall: { arch: 'x86_64', nr: 101, name: 'ptrace' },
    process: { exe: '/usr/bin/curl' },
    action: 'kill_process',
    blocked: true,
  };
}

/**
 * Retention on the real, migrated schema and the service's own wiring: the maintenance the
 * service runs (with SANDTRAP_RETENTION_DAYS / SANDTRAP_ROLLUP_RETENTION_DAYS) is driven with a
 * `now` moved forward, and the right partitions and rollup rows of every tier vanish.
 */
describe('hardening: retention', () => {
  let t: TestApp;
  let client: pg.Client;
  let ingest: string;
  const today = Math.floor(Date.now() / DAY) * DAY;

  const partitions = async () =>
    (
      await client.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'violations'::regclass ORDER BY 1`,
      )
    ).rows.map((r) => r.name);
  const rollupRows = async () => {
    await foldRollupDeltas(client);
    const out: Record<string, number> = {};
    for (const table of ['violation_counts', 'violation_counts_5m', 'violation_counts_1h']) {
      const { rows } = await client.query<{ n: string }>(`SELECT coalesce(sum(count), 0) AS n FROM ${table}`);
      out[table] = Number(rows[0].n);
    }
    return out;
  };

  beforeAll(async () => {
    t = await startTestApp({ env: { SANDTRAP_RETENTION_DAYS: '2', SANDTRAP_ROLLUP_RETENTION_DAYS: '5' } });
    ingest = await t.tokenFor('ingest');
    client = new pg.Client({ connectionString: t.databaseUrl });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await t?.close();
  });

  it('at start the service has made the partitions of yesterday to three days ahead', async () => {
    const names = await partitions();
    for (let k = -1; k <= 3; k++) expect(names).toContain(dayName(today + k * DAY));
  });

  it('refuses events older than the retention, stores the ones inside it', async () => {
    const body = [event(1, Date.now() - 60_000), event(2, Date.now() - DAY), event(3, today - 3 * DAY)]
      .map((e) => JSON.stringify(e))
      .join('\n');
    const r = await t.request
      .post('/v1/ingest/events')
      .set('authorization', `Bearer ${ingest}`)
      .set('content-type', 'application/x-ndjson')
      .send(body);
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ accepted: 2, rejected: 1 });
    expect(r.body.errors).toEqual([expect.objectContaining({ index: 2, code: 'too_old' })]);
    expect(Object.values(await rollupRows())).toEqual([2, 2, 2]);
  });

  it('moving time forward drops partitions past SANDTRAP_RETENTION_DAYS, then rollups past SANDTRAP_ROLLUP_RETENTION_DAYS', async () => {
    const maintenance = t.app.get(PartitionMaintenance);
    const stored = async () => Number((await client.query('SELECT count(*) AS n FROM violations')).rows[0].n);
    expect(await stored()).toBe(2);

    // One day on: nothing is past two days yet.
    expect((await maintenance.run(today + DAY + 3_600_000)).dropped).toEqual([]);

    // Three days on: the days before (then) minus 2 go, yesterday's and today's events with them.
    const later = await maintenance.run(today + 3 * DAY + 3_600_000);
    expect(later.dropped).toEqual([dayName(today - DAY), dayName(today)]);
    expect(await stored()).toBe(0);
    const names = await partitions();
    expect(names).not.toContain(dayName(today));
    for (let k = 2; k <= 6; k++) expect(names).toContain(dayName(today + k * DAY));
    // The rollups outlive the events (5 days).
    expect(Object.values(await rollupRows())).toEqual([2, 2, 2]);

    // Six days on: the rollup of every tier is pruned too.
    const much = await maintenance.run(today + 6 * DAY + 3_600_000);
    expect(much.rollupRowsPruned).toBeGreaterThanOrEqual(3);
    expect(Object.values(await rollupRows())).toEqual([0, 0, 0]);

    // A second pass at the same time finds nothing left to do.
    const again = await maintenance.run(today + 6 * DAY + 3_600_000);
    expect(again).toEqual({ created: [], dropped: [], rollupRowsPruned: 0 });
  });

  it('two maintenance passes at once (as two replicas would run) both succeed and agree', async () => {
    const maintenance = t.app.get(PartitionMaintenance);
    const at = today + 20 * DAY;
    const results = await Promise.all([maintenance.run(at), maintenance.run(at)]);
    expect(results.every((r) => Array.isArray(r.dropped))).toBe(true);
    const names = await partitions();
    for (let k = 19; k <= 23; k++) expect(names).toContain(dayName(today + k * DAY));
    expect(names.filter((n) => n < dayName(today + 18 * DAY))).toEqual([]);
  });
});
