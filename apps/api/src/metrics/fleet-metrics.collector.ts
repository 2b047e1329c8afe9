import { REPORTING_WINDOW_MS } from '../hosts/host.js';
import type { FleetMetricsRepository, HostHealthRow } from './fleet-metrics.repository.js';
import type { SandtrapMetrics } from './sandtrap-metrics.js';

/** A finite, non-negative number from the agent's self-reported stats, else undefined. */
function statOf(health: Record<string, unknown> | null, key: string): number | undefined {
  const v = health?.[key];
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/**
 * Refreshes the fleet gauges from Postgres just before a scrape is rendered. Gauges are reset
 * first, so a host that left the top of the list (or was deleted) stops being exported.
 */
export class FleetMetricsCollector {
  constructor(
    private readonly metrics: SandtrapMetrics,
    private readonly repository: FleetMetricsRepository,
    private readonly maxHosts: number,
  ) {}

  async refresh(): Promise<void> {
    const m = this.metrics;
    let snapshot;
    try {
      snapshot = await this.repository.snapshot(REPORTING_WINDOW_MS / 1000, this.maxHosts);
    } catch {
      // The process and ingest metrics are still worth serving while the database is away.
      m.fleetScrapeErrors.inc();
      return;
    }
    m.hosts.set({ state: 'reporting' }, snapshot.reporting);
    m.hosts.set({ state: 'silent' }, snapshot.silent);
    m.rollupDeltasPending.set(snapshot.rollupDeltasPending);
    for (const g of [m.heartbeatAge, m.spoolDepth, m.spoolBytes, m.eventsDropped, m.lostKernelRecords])
      g.reset();
    for (const host of snapshot.agents) this.setHost(host);
  }

  private setHost(row: HostHealthRow): void {
    const m = this.metrics;
    const host = row.name;
    m.heartbeatAge.set({ host }, row.heartbeatAgeSeconds);
    const pairs = [
      [m.spoolDepth, 'spoolDepth'],
      [m.spoolBytes, 'spoolBytes'],
      [m.eventsDropped, 'eventsDropped'],
      [m.lostKernelRecords, 'lostKernelRecords'],
    ] as const;
    for (const [gauge, key] of pairs) {
      const v = statOf(row.health, key);
      if (v !== undefined) gauge.set({ host }, v);
    }
  }
}
