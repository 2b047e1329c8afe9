import type { AssignmentView } from '../assignments/assignments.service.js';
import type { SandtrapMetrics } from './sandtrap-metrics.js';

/** What the collector needs of the assignments feature: its list with per-status host counts. */
export interface RolloutSource {
  list(): Promise<AssignmentView[]>;
}

/**
 * Refreshes `sandtrap_policy_rollout_hosts{policy, status}` before a scrape: hosts per rollout
 * status summed over each policy's assignments. Reset first, so deleted assignments disappear.
 */
export class RolloutMetricsCollector {
  constructor(
    private readonly metrics: SandtrapMetrics,
    private readonly source: RolloutSource | undefined,
  ) {}

  async refresh(): Promise<void> {
    if (!this.source) return;
    let assignments: AssignmentView[];
    try {
      assignments = await this.source.list();
    } catch {
      this.metrics.fleetScrapeErrors.inc();
      return;
    }
    const totals = new Map<string, Record<string, number>>();
    for (const a of assignments) {
      const sum = totals.get(a.policy) ?? {};
      for (const [status, n] of Object.entries(a.summary)) sum[status] = (sum[status] ?? 0) + n;
      totals.set(a.policy, sum);
    }
    const gauge = this.metrics.rolloutHosts;
    gauge.reset();
    for (const [policy, sum] of totals) {
      for (const [status, n] of Object.entries(sum)) gauge.set({ policy, status }, n);
    }
  }
}
