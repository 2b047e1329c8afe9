import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AssignmentsService } from './assignments.service.js';

/** How often canaries with a soak time are checked. */
export const AUTO_PROMOTE_INTERVAL_MS = 15_000;

/** Promotes canaries whose soak time passed cleanly; each replica may run it (a row lock serialises promotions). */
@Injectable()
export class AutoPromoteJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AutoPromote');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly assignments: AssignmentsService) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running = this.assignments.autoPromote().catch((error: unknown) => {
        this.logger.warn(
          `auto-promotion check failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
    }, AUTO_PROMOTE_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
