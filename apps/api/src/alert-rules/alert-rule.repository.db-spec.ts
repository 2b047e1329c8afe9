import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../../test/support/test-app.js';
import { AlertRuleRepository } from './alert-rule.repository.js';

/** Two API replicas deciding at once whether a rule fires: each on its own pool. */
describe('AlertRuleRepository.startDelivery', () => {
  let t: TestApp;
  let pools: pg.Pool[];
  let replicas: AlertRuleRepository[];
  let ruleId: string;

  beforeAll(async () => {
    t = await startTestApp();
    pools = [0, 1].map(() => new pg.Pool({ connectionString: t.databaseUrl, max: 8 }));
    replicas = pools.map((p) => new AlertRuleRepository(p));
    const rule = await replicas[0]!.create({
      name: 'race',
      match: {},
      threshold: 1,
      windowSeconds: 600,
      webhookUrl: 'http://192.0.2.1/hook',
      webhookFormat: 'generic',
      enabled: true,
      createdBy: 'test',
    });
    ruleId = rule!.id;
  });
  afterAll(async () => {
    await Promise.all(pools?.map((p) => p.end()) ?? []);
    await t?.close();
  });

  it('fires once for 40 concurrent attempts from two replicas', async () => {
    const ids = await Promise.all(
      Array.from({ length: 40 }, (_, i) => replicas[i % 2]!.startDelivery(ruleId, 600, i, { i })),
    );
    expect(ids.filter((id) => id !== undefined)).toHaveLength(1);
    const { rows } = await pools[0]!.query(
      'SELECT count(*)::int AS n FROM alert_deliveries WHERE rule_id = $1',
      [ruleId],
    );
    expect(rows[0].n).toBe(1);
  });

  it('fires again once the window since the last firing has passed, not at a clock-bucket edge', async () => {
    expect(await replicas[1]!.startDelivery(ruleId, 600, 1, {})).toBeUndefined();
    // The last firing 599 s ago: still inside the window.
    await pools[0]!.query(
      `UPDATE alert_deliveries SET created_at = now() - interval '599 seconds' WHERE rule_id = $1`,
      [ruleId],
    );
    expect(await replicas[0]!.startDelivery(ruleId, 600, 1, {})).toBeUndefined();
    await pools[0]!.query(
      `UPDATE alert_deliveries SET created_at = now() - interval '601 seconds' WHERE rule_id = $1`,
      [ruleId],
    );
    const again = await Promise.all([0, 1, 0, 1].map((r) => replicas[r]!.startDelivery(ruleId, 600, 1, {})));
    expect(again.filter((id) => id !== undefined)).toHaveLength(1);
  });
});
