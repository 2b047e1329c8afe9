import type { EventShape, StoredEvent } from '../ingest/ingest-batch.js';

/** Distinct (host, action, syscall, exe) kept while a run is busy: all a rule's prefilter reads. */
const MAX_PENDING = 10_000;

function keyOf(e: EventShape): string {
  return `${e.host}\u0000${e.action}\u0000${e.syscall?.name ?? ''}\u0000${e.process?.exe ?? ''}`;
}

/**
 * Runs alert evaluation one batch at a time. Batches stored while a run is busy (a slow webhook
 * retrying) are merged into one next run, keeping one event per distinct matchable shape, so a
 * burst of ingest cannot pile up unbounded work or memory.
 */
export class EvaluationQueue {
  private pending = new Map<string, EventShape>();
  private running: Promise<void> | undefined;

  constructor(
    private readonly run: (events: EventShape[]) => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  push(events: readonly StoredEvent[]): void {
    // Events of one shape (event-scanner.ts) are seen once, and their shape is what is kept.
    const visited = new Set<EventShape>();
    for (const event of events) {
      const e = event.shape ?? event;
      if (visited.has(e)) continue;
      visited.add(e);
      if (this.pending.size >= MAX_PENDING) break;
      const key = keyOf(e);
      if (!this.pending.has(key)) this.pending.set(key, e);
    }
    if (!this.running && this.pending.size > 0) this.running = this.drain();
  }

  /** Resolves when nothing is running or pending. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.size > 0) {
        const batch = [...this.pending.values()];
        this.pending = new Map();
        try {
          await this.run(batch);
        } catch (error) {
          // a failed run (database away) must not stop later batches from being evaluated
          this.onError(error);
        }
      }
    } finally {
      this.running = undefined;
    }
  }
}
