import type { PartitionRepository } from './partition.repository.js';

const DAY_MS = 86_400_000;
/** Rows written to a never-analyzed partition before it is analyzed by the service. */
const FIRST_ANALYZE_ROWS = 1000;

export interface PartitionPolicy {
  /** Days of violations kept; older partitions are dropped and older events refused. */
  retentionDays: number;
  /** Days of per-minute rollup kept. */
  rollupRetentionDays: number;
}

export interface MaintenanceReport {
  created: number[];
  dropped: string[];
  rollupRowsPruned: number;
}

/**
 * Keeps the daily partitions of `violations` ahead of time (yesterday to three days ahead), makes
 * the ones a batch needs on demand, and applies retention. Known partitions are cached, so a
 * batch only pays for DDL the first time it touches a day.
 */
export class PartitionMaintenance {
  private known: Set<number> | undefined;

  constructor(
    private readonly repository: PartitionRepository,
    private readonly policy: PartitionPolicy,
  ) {}

  /** Ensures a partition exists for each UTC day (epoch ms of its midnight). */
  async ensureDays(days: Iterable<number>): Promise<void> {
    if (!this.known) this.known = await this.repository.listDays();
    const known = this.known;
    const missing = [...new Set(days)].filter((d) => !known.has(d));
    if (missing.length === 0) return;
    await this.repository.createDays(missing);
    for (const d of missing) known.add(d);
  }

  /** Gives a newly filled day's partition its first statistics (PartitionRepository). */
  analyzeNewPartitions(): Promise<string[]> {
    return this.repository.analyzeNeverAnalyzed(FIRST_ANALYZE_ROWS);
  }

  /** The oldest instant an event may have to be accepted at `now`. */
  oldestAccepted(now: number): number {
    return Math.floor(now / DAY_MS) * DAY_MS - this.policy.retentionDays * DAY_MS;
  }

  /** One maintenance pass: partitions ahead, retention behind. */
  async run(now: number = Date.now()): Promise<MaintenanceReport> {
    const today = Math.floor(now / DAY_MS) * DAY_MS;
    // Re-read: another replica may have created or dropped partitions.
    this.known = await this.repository.listDays();
    const wanted = [-1, 0, 1, 2, 3].map((k) => today + k * DAY_MS);
    const created = wanted.filter((d) => !this.known!.has(d));
    await this.ensureDays(wanted);
    const dropped = await this.repository.dropDaysBefore(this.oldestAccepted(now));
    for (const name of dropped) this.forget(name);
    const rollupRowsPruned = await this.repository.pruneRollupBefore(
      new Date(today - this.policy.rollupRetentionDays * DAY_MS),
    );
    return { created, dropped, rollupRowsPruned };
  }

  private forget(name: string): void {
    const m = /(\d{4})(\d{2})(\d{2})$/.exec(name);
    if (m && this.known) this.known.delete(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  }
}
