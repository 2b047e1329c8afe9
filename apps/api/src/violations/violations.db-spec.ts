import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventAction, SecurityEvent } from '@sandtrap/events';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database.js';
import { createViolationSchema } from '../../../../test/fixtures/ingest/violation-schema.js';
import { parseObservedAt } from '../ingest/observed-at.js';
import { DELTA_TABLE, foldRollupDeltas } from '../ingest/rollup-deltas.js';
import { ROLLUP_TIERS } from '../ingest/rollup-tiers.js';
import { ViolationWriterRepository } from '../ingest/violation-writer.repository.js';
import { PartitionMaintenance } from '../partitions/partition-maintenance.service.js';
import { PartitionRepository } from '../partitions/partition.repository.js';
import { ViolationQueryRepository } from './violation-query.repository.js';
import { ViolationQueryError, ViolationsService } from './violations.service.js';

const BASE = Date.UTC(2026, 10, 28, 12, 0, 0);
const ACTIONS: EventAction[] = ['errno', 'kill_process', 'log'];

/** 600 events over 10 minutes and 3 hosts, at odd seconds so that ranges cut minutes apart. */
function events(): SecurityEvent[] {
  return Array.from({ length: 600 }, (_, i) => ({
    eventKey: `k${i}`,
    observedAt: new Date(BASE + i * 1000).toISOString().replace('Z', '123Z'),
    host: `h${i % 3}`,
    source: i % 5 ? 'kmsg' : 'falco',
    kind: 'seccomp',
    action: ACTIONS[i % 3],
    blocked: ACTIONS[i % 3] !== 'log',
    syscall: { arch: 'x86_64', name: i % 4 ? 'ptrace' : 'mount', nr: i % 4 ? 101 : 165 },
    process: { pid: i, comm: i % 2 ? 'nginx' : 'bash', exe: i % 7 ? '/usr/bin/x' : undefined },
    container: i % 2 ? { id: `c${i % 4}`, pod: 'p1', namespace: 'ns' } : undefined,
  }));
}

describe('ViolationsService over stored rows', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let service: ViolationsService;
  const all = events();

  beforeAll(async () => {
    db = await createTestDatabase();
    await createViolationSchema(db.url);
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    const writer = new ViolationWriterRepository(pool);
    await new PartitionMaintenance(new PartitionRepository(pool), {
      retentionDays: 30,
      rollupRetentionDays: 30,
    }).ensureDays([Date.UTC(2026, 10, 28)]);
    await writer.storeBatch(
      all.map((e) => ({ micros: parseObservedAt(e.observedAt)!, event: e })),
      new Map(),
    );
    service = new ViolationsService(new ViolationQueryRepository(pool), () => BASE + 3_600_000);
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const iso = (ms: number) => new Date(ms).toISOString();

  it('pages newest first with no gaps or repeats, and round-trips every field', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await service.list({ limit: '70', ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((e) => e.eventKey));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(600);
    expect(new Set(seen).size).toBe(600);
    expect(seen[0]).toBe('k599');
    const one = (await service.list({ host: 'h1', limit: '1', to: iso(BASE + 2000) })).items[0];
    expect(one).toEqual(all[1]);
  });

  it('applies each filter', async () => {
    const count = async (q: Record<string, string>) =>
      (await service.list({ limit: '1000', ...q })).items.length;
    const expected = (p: (e: SecurityEvent) => boolean) => all.filter(p).length;
    expect(await count({ host: 'h0,h2' })).toBe(expected((e) => e.host !== 'h1'));
    expect(await count({ action: 'log' })).toBe(expected((e) => e.action === 'log'));
    expect(await count({ blocked: 'true' })).toBe(expected((e) => e.blocked));
    expect(await count({ syscall: 'mount' })).toBe(expected((e) => e.syscall?.name === 'mount'));
    expect(await count({ source: 'falco' })).toBe(expected((e) => e.source === 'falco'));
    expect(await count({ comm: 'nginx' })).toBe(expected((e) => e.process?.comm === 'nginx'));
    expect(await count({ exe: '/usr/bin/x' })).toBe(expected((e) => e.process?.exe === '/usr/bin/x'));
    expect(await count({ container: 'c1' })).toBe(expected((e) => e.container?.id === 'c1'));
    expect(await count({ pod: 'p1', namespace: 'ns' })).toBe(expected((e) => e.container?.pod === 'p1'));
    expect(await count({ policy: 'none' })).toBe(0);
    expect(await count({ host: 'nobody' })).toBe(0);
    expect(await count({ from: iso(BASE + 10_000), to: iso(BASE + 20_000) })).toBe(10);
  });

  it('answers stats and timeseries whose totals match the rows, across partial minutes', async () => {
    const from = iso(BASE + 30_500);
    const to = iso(BASE + 450_500);
    const inRange = all.filter((e) => e.observedAt >= from && e.observedAt < to);
    const stats = await service.stats({ groupBy: 'action', from, to });
    expect(stats.groups.reduce((s, g) => s + g.count, 0)).toBe(inRange.length);
    const byExe = await service.stats({ groupBy: 'exe', from, to, limit: '5' });
    expect(byExe.groups.find((g) => g.key === null)?.count).toBe(
      inRange.filter((e) => !e.process?.exe).length,
    );
    const byHost = await service.stats({ groupBy: 'host', from, to, comm: 'bash' });
    expect(byHost.groups.map((g) => g.key).sort()).toEqual(['h0', 'h1', 'h2']);
    expect(byHost.groups.reduce((s, g) => s + g.count, 0)).toBe(
      inRange.filter((e) => e.process?.comm === 'bash').length,
    );

    const series = await service.timeseries({ interval: '5m', from, to });
    const total = series.buckets.reduce((s, b) => s + Object.values(b.counts).reduce((a, n) => a + n, 0), 0);
    expect(total).toBe(inRange.length);
    expect(series.buckets[0].start).toBe('2026-11-28T12:00:00.000000Z');
    const minute = await service.timeseries({ interval: '1m', from, to, action: 'log' });
    expect(minute.buckets).toHaveLength(8);
    expect(minute.buckets[1].counts).toEqual({ log: 20 });
  });

  it('reads the coarser tiers for whole hours and five-minute spans, with the same totals, before and after the rollup deltas are folded', async () => {
    const totals = async () => {
      for (const [from, to] of [
        [BASE - 3_600_000, BASE + 3_600_000],
        [BASE - 120_000, BASE + 780_000],
        [BASE - 120_000, BASE + 7_200_000 + 780_000],
      ]) {
        const stats = await service.stats({ groupBy: 'syscall', from: iso(from), to: iso(to) });
        expect(stats.groups.reduce((s, g) => s + g.count, 0)).toBe(600);
        const series = await service.timeseries({ interval: '1h', from: iso(from), to: iso(to) });
        expect(series.buckets.find((b) => b.start === '2026-11-28T12:00:00.000000Z')?.counts).toEqual({
          errno: 200,
          kill_process: 200,
          log: 200,
        });
      }
    };
    const pending = async () =>
      Number((await pool.query(`SELECT count(*) AS n FROM ${DELTA_TABLE}`)).rows[0].n);
    // Stored by the writer, not folded yet: the tiers are read together with the deltas.
    expect(await pending()).toBeGreaterThan(0);
    await totals();
    expect(await foldRollupDeltas(pool)).toMatchObject({ events: 600 });
    expect(await pending()).toBe(0);
    for (const { table } of ROLLUP_TIERS) {
      const { rows } = await pool.query(`SELECT sum(count)::int AS n FROM ${table}`);
      expect(rows[0].n, table).toBe(600);
    }
    await totals();
  });

  it('answers the same from the narrow (host, action) tiers as from the wide ones', async () => {
    const from = iso(BASE - 120_000 + 500);
    const to = iso(BASE + 7_200_000 + 780_500);
    // Naming every source is no filter at all, but only the wide tiers hold the source.
    const wide = { source: 'kmsg,falco' };
    for (const q of [{}, { host: 'h1' }, { host: 'h0,h2', action: 'errno,log' }]) {
      for (const interval of ['1m', '5m', '1h']) {
        const narrow = await service.timeseries({ interval, from, to, ...q });
        expect(narrow.buckets.some((b) => Object.keys(b.counts).length > 0)).toBe(true);
        expect(narrow).toEqual(await service.timeseries({ interval, from, to, ...q, ...wide }));
      }
      for (const groupBy of ['host', 'action']) {
        const narrow = await service.stats({ groupBy, from, to, ...q });
        expect(narrow).toEqual(await service.stats({ groupBy, from, to, ...q, ...wide }));
      }
    }
  });

  it('refuses bad parameters, naming them', async () => {
    const bad = async (fn: () => Promise<unknown>) => {
      const error = await fn().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ViolationQueryError);
      return (error as ViolationQueryError).errors.map((e) => e.pointer);
    };
    expect(await bad(() => service.list({ limit: '1001' }))).toEqual(['/limit']);
    expect(await bad(() => service.list({ action: 'explode' }))).toEqual(['/action']);
    expect(await bad(() => service.list({ cursor: "'; drop table hosts" }))).toEqual(['/cursor']);
    expect(await bad(() => service.list({ from: 'yesterday', blocked: 'maybe' }))).toEqual([
      '/from',
      '/blocked',
    ]);
    expect(await bad(() => service.stats({ groupBy: 'pid' }))).toEqual(['/groupBy']);
    expect(
      await bad(() =>
        service.timeseries({ interval: '1m', from: iso(BASE - 40 * 86_400_000), to: iso(BASE) }),
      ),
    ).toEqual(['/from']);
  });
});
