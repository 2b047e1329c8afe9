import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PartitionMaintenance } from './partition-maintenance.service.js';

const HOUR_MS = 3_600_000;
/** How often a newly filled partition is looked for, to analyze it before autovacuum does. */
const ANALYZE_CHECK_MS = 15_000;

/**
 * Runs partition maintenance at start (before traffic) and then every hour; every 15 s, gives a
 * day's partition its first statistics once it holds rows (at midnight UTC, or on a new database).
 */
@Injectable()
export class PartitionMaintenanceJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('partitions');
  private timer: NodeJS.Timeout | undefined;
  private analyzeTimer: NodeJS.Timeout | undefined;

  constructor(private readonly maintenance: PartitionMaintenance) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), HOUR_MS);
    this.analyzeTimer = setInterval(() => void this.analyzeNew(), ANALYZE_CHECK_MS);
    // The passes must never keep a stopping process alive.
    this.timer.unref();
    this.analyzeTimer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.analyzeTimer) clearInterval(this.analyzeTimer);
  }

  async analyzeNew(): Promise<void> {
    try {
      const analyzed = await this.maintenance.analyzeNewPartitions();
      if (analyzed.length) this.logger.log(`first statistics of ${analyzed.join(', ')}`);
    } catch (error) {
      // Autovacuum analyzes them later anyway.
      this.logger.warn(`analyzing new partitions failed: ${(error as Error).message}`);
    }
  }

  async runOnce(): Promise<void> {
    try {
      const report = await this.maintenance.run();
      if (report.created.length || report.dropped.length) {
        this.logger.log(
          `partitions created ${report.created.map((d) => new Date(d).toISOString().slice(0, 10)).join(', ') || 'none'}; dropped ${report.dropped.join(', ') || 'none'}; rollup rows pruned ${report.rollupRowsPruned}`,
        );
      }
    } catch (error) {
      // Ingest still creates the partitions it needs on demand; the next pass tries again.
      this.logger.error(`partition maintenance failed: ${(error as Error).message}`);
    }
  }
}
