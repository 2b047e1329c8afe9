import type { Logger } from 'pino';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AgentHealth } from '../health/agent-health.js';
import type { ServiceClient } from '../service/service-client.js';
import { ServiceError } from '../service/service.errors.js';
import type { Spool, SpoolBatch } from '../spool/spool.js';
import { retryDelay } from './backoff.js';

export interface ShipperOptions {
  batchSize: number;
  flushMs: number;
  maxBackoffMs?: number;
  baseBackoffMs?: number;
  /** The ingest route the spool's lines go to (default: SecurityEvent NDJSON). */
  ingestPath?: string;
  /** Called on a 401 before the retry: the agent enrolls again and swaps the client's token. */
  onUnauthorized?: () => Promise<void>;
}

/**
 * Moves spooled events to the service: batches of up to `batchSize` lines or `flushMs`, gzip
 * NDJSON, acknowledged in the spool only after a 202. Retries with backoff and Retry-After; a
 * whole-batch 400/413 is split until the bad events are isolated, dropped and counted.
 */
export class Shipper {
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;

  constructor(
    private readonly spool: Spool,
    private readonly client: ServiceClient,
    private readonly health: AgentHealth,
    private readonly log: Logger,
    private readonly options: ShipperOptions,
  ) {}

  start(): void {
    this.running = this.run();
  }

  /** Stops after the batch in flight (its retries are abandoned; the spool keeps it). */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  /**
   * Full batches go at once; a partial batch goes `flushMs` after the data came, or after the
   * previous send began. So a slow service gets fewer, larger requests, not a request for every
   * few events that arrived while the last one was in flight.
   */
  private async run(): Promise<void> {
    const signal = this.abort.signal;
    const { batchSize, flushMs } = this.options;
    let flushAt: number | undefined;
    while (!signal.aborted) {
      if (this.spool.stats().depth === 0) {
        flushAt = undefined;
        await this.spool.waitForData(1_000, signal);
        continue;
      }
      flushAt ??= Date.now() + flushMs;
      while (!signal.aborted && this.spool.stats().depth < batchSize && Date.now() < flushAt) {
        await this.spool.waitForData(flushAt - Date.now(), signal);
      }
      for (let batch = this.spool.read(batchSize); batch && !signal.aborted;) {
        flushAt = Date.now() + flushMs;
        if (!(await this.deliver(batch))) {
          this.spool.rewind();
          break;
        }
        this.spool.ackBatch(batch);
        batch = this.spool.stats().depth >= batchSize ? this.spool.read(batchSize) : undefined;
      }
    }
  }

  /** True once the service has every line (or refused some as invalid); false when stopping. */
  private async deliver(batch: SpoolBatch): Promise<boolean> {
    for (let attempt = 0; !this.abort.signal.aborted; attempt++) {
      try {
        await this.send(batch);
        return true;
      } catch (error) {
        const message = (error as Error).message;
        this.health.recordError(message);
        if (error instanceof ServiceError && error.status === 401 && this.options.onUnauthorized) {
          await this.options
            .onUnauthorized()
            .catch((renewError: unknown) =>
              this.log.warn({ err: (renewError as Error).message }, 'enrolling again failed'),
            );
        }
        const retryAfter = error instanceof ServiceError ? error.retryAfterMs : undefined;
        const wait = retryDelay(attempt, retryAfter, {
          baseMs: this.options.baseBackoffMs,
          maxMs: this.options.maxBackoffMs,
        });
        this.log.warn(
          { err: message, attempt, waitMs: wait, lines: batch.count },
          'ingest failed; will retry',
        );
        await sleep(wait, undefined, { signal: this.abort.signal }).catch(() => undefined);
      }
    }
    return false;
  }

  /** A spool batch goes as its bytes; only a refused one is decoded into lines and split. */
  private async send(batch: SpoolBatch | string[]): Promise<void> {
    try {
      const answer = await this.client.ingest(
        Array.isArray(batch) ? batch : batch.bytes,
        this.options.ingestPath,
      );
      this.health.eventsShipped += answer.accepted + answer.duplicates;
      this.health.eventsDuplicate += answer.duplicates;
      this.health.eventsRejected += answer.rejected;
      if (answer.rejected > 0) {
        this.log.warn(
          { rejected: answer.rejected, errors: answer.errors.slice(0, 5) },
          'service refused events',
        );
      }
    } catch (error) {
      const status = error instanceof ServiceError ? error.status : undefined;
      if (status !== 400 && status !== 413) throw error;
      const lines = Array.isArray(batch) ? batch : batch.lines;
      if (lines.length === 1) {
        // One event the service will never take: drop and count it, never block the spool.
        this.health.eventsRejected += 1;
        this.log.error(
          { status, err: (error as Error).message, line: lines[0].slice(0, 500) },
          'event dropped',
        );
        return;
      }
      const half = Math.ceil(lines.length / 2);
      await this.send(lines.slice(0, half));
      await this.send(lines.slice(half));
    }
  }
}
