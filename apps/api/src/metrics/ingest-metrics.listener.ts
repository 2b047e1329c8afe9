import type { EventShape } from '../ingest/ingest-batch.js';
import type { BatchFailed, BatchStored } from '../ingest/ingest-events.js';
import type { SandtrapMetrics } from './sandtrap-metrics.js';
import type { LimitedLabels, ViolationSeriesLimiter } from './violation-series-limiter.js';

/**
 * Reject reasons about the time window or the sender, not the content: everything else is a
 * parse error.
 */
const NOT_PARSE_ERRORS: ReadonlySet<string> = new Set(['too_old', 'in_future', 'foreign_host']);

/** Turns ingest's batch events into metrics; it must never throw back into ingest. */
export class IngestMetricsListener {
  private readonly byShape = new WeakMap<EventShape, LimitedLabels>();

  constructor(
    private readonly metrics: SandtrapMetrics,
    private readonly limiter: ViolationSeriesLimiter,
  ) {}

  onBatchStored(e: BatchStored): void {
    const m = this.metrics;
    const source = e.source;
    m.ingestBatches.inc({ source, outcome: 'stored' });
    if (e.accepted > 0) m.ingestAccepted.inc({ source }, e.accepted);
    if (e.duplicates > 0) m.ingestDuplicates.inc({ source }, e.duplicates);
    let parseErrors = 0;
    for (const [reason, n] of Object.entries(e.rejectReasons)) {
      if (n <= 0) continue;
      m.ingestRejected.inc({ source, reason }, n);
      if (!NOT_PARSE_ERRORS.has(reason)) parseErrors += n;
    }
    if (parseErrors > 0) m.ingestParseErrors.inc({ source }, parseErrors);
    if (e.lostRecords > 0) m.kernelRecordsLost.inc({ source }, e.lostRecords);
    m.batchSize.observe({ source }, e.accepted + e.duplicates + e.rejected);
    m.batchDuration.observe({ source }, e.durationMs / 1000);
    m.dbWriteDuration.observe({ source }, e.dbMs / 1000);

    // One inc per distinct series of the batch: prom-client hashes the labels on every call.
    // Events of one shape (event-scanner.ts) are counted per shape first; the limiter answers the same object for the same label set, so
    // identity groups the series too.
    const shapes = new Map<EventShape, number>();
    for (const event of e.events) {
      const shape = event.shape ?? event;
      shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
    }
    const series = new Map<LimitedLabels, number>();
    for (const [event, n] of shapes) {
      const limited = this.labelsOfShape(event);
      series.set(limited, (series.get(limited) ?? 0) + n);
    }
    for (const [{ labels, folded }, n] of series) {
      m.violations.inc(labels, n);
      for (const label of folded) m.violationSeriesFolded.inc({ label }, n);
    }
    m.violationSeries.set(this.limiter.seriesCount);
  }

  /**
   * The limiter's answer for a shape, kept with it (a label set's answer never changes once
   * given, and scanned events' shapes live across batches).
   */
  private labelsOfShape(shape: EventShape): LimitedLabels {
    let limited = this.byShape.get(shape);
    if (limited === undefined) this.byShape.set(shape, (limited = this.limiter.labelsFor(shape)));
    return limited;
  }

  onBatchFailed(e: BatchFailed): void {
    this.metrics.ingestBatches.inc({ source: e.source, outcome: 'failed' });
  }
}
