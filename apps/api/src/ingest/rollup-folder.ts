import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '../database/pg-pool.js';
import { IngestEvents } from './ingest-events.js';
import { foldRollupDeltas } from './rollup-deltas.js';

/** How long after a stored batch its rollup delta is folded: the batches of that time fold as one. */
export const FOLD_DELAY_MS = 1000;
/** How often deltas are folded anyway: those left by a replica that stopped before folding them. */
export const FOLD_SWEEP_MS = 30_000;

/**
 * Folds the rollup deltas (rollup-deltas.ts) into the rollup tiers: a second after a batch is
 * stored (the batches stored meanwhile go with it), every 30 s for what other replicas left,
 * at start and at shutdown. Queries read the deltas too, so a late fold delays no count; a
 * failed one is logged and the next takes its rows.
 */
@Injectable()
export class RollupFolder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('rollups');
  private soon: NodeJS.Timeout | undefined;
  private sweep: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private stopped = false;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly events: IngestEvents,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.unsubscribe = this.events.onBatchStored((batch) => {
      if (batch.accepted > 0) this.foldSoon();
    });
    this.sweep = setInterval(() => void this.fold(), FOLD_SWEEP_MS);
    this.sweep.unref();
    await this.fold();
  }

  /** After the HTTP server has stopped: the batches it finished are folded before the pool closes. */
  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    clearTimeout(this.soon);
    clearInterval(this.sweep);
    await this.running;
    await this.foldNow();
  }

  /** Folds within FOLD_DELAY_MS, together with whatever else is stored by then. */
  foldSoon(): void {
    if (this.soon !== undefined || this.stopped) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      void this.fold();
    }, FOLD_DELAY_MS);
    this.soon.unref();
  }

  /** One fold at a time: a call while one runs waits for it, then folds what came since. */
  fold(): Promise<void> {
    this.running = this.running.then(() => this.foldNow());
    return this.running;
  }

  private async foldNow(): Promise<void> {
    const started = performance.now();
    try {
      const { rows, events } = await foldRollupDeltas(this.pool);
      if (rows > 0) {
        this.logger.debug(
          `folded ${rows} batches' rollup deltas (${events} events) in ${(performance.now() - started).toFixed(0)} ms`,
        );
      }
    } catch (error) {
      this.logger.warn(`folding rollup deltas failed, the next fold takes them: ${(error as Error).message}`);
    }
  }
}
