import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PartitionMaintenance } from './partition-maintenance.service.js';

const HOUR_MS = 3_600_000;

/** Runs partition maintenance at start (before traffic) and then every hour. */
@Injectable()
export class PartitionMaintenanceJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('partitions');
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly maintenance: PartitionMaintenance) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), HOUR_MS);
    // The hourly pass must never keep a stopping process alive.
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
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
