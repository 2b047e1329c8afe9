import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ViolationLabel } from './metrics-config.js';

const SIZE_BUCKETS = [1, 5, 10, 50, 100, 500, 1000, 5000, 10_000, 50_000];
const SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Every metric of the API (names: docs/metrics.md), in a registry of its own per app instance,
 * so counters start from zero with each start and several apps in one process (tests) do not
 * collide in prom-client's global registry.
 */
export class SandtrapMetrics {
  readonly registry = new Registry();

  readonly violations: Counter<ViolationLabel>;
  readonly violationSeries = new Gauge({
    name: 'sandtrap_violation_series',
    help: 'Label sets of sandtrap_violations_total currently exported',
    registers: [this.registry],
  });
  readonly violationSeriesLimit = new Gauge({
    name: 'sandtrap_violation_series_limit',
    help: 'Cap on the label sets of sandtrap_violations_total (SANDTRAP_METRICS_MAX_SERIES)',
    registers: [this.registry],
  });
  readonly violationSeriesFolded = new Counter({
    name: 'sandtrap_violation_series_folded_total',
    help: 'Events whose label was folded into "other" because the series cap was reached',
    labelNames: ['label'],
    registers: [this.registry],
  });

  readonly ingestAccepted = this.counter('sandtrap_ingest_events_accepted_total', 'Events newly stored', [
    'source',
  ]);
  readonly ingestDuplicates = this.counter(
    'sandtrap_ingest_events_duplicate_total',
    'Events already stored (resends)',
    ['source'],
  );
  readonly ingestRejected = this.counter(
    'sandtrap_ingest_events_rejected_total',
    'Events refused, by reason',
    ['source', 'reason'],
  );
  readonly ingestParseErrors = this.counter(
    'sandtrap_ingest_parse_errors_total',
    'Rejected events that could not be parsed or normalised',
    ['source'],
  );
  readonly ingestBatches = this.counter('sandtrap_ingest_batches_total', 'Ingest requests by outcome', [
    'source',
    'outcome',
  ]);
  readonly kernelRecordsLost = this.counter(
    'sandtrap_ingest_kernel_records_lost_total',
    'Kernel audit records the senders reported lost',
    ['source'],
  );
  readonly batchSize = new Histogram({
    name: 'sandtrap_ingest_batch_size',
    help: 'Events per ingest request',
    labelNames: ['source'],
    buckets: SIZE_BUCKETS,
    registers: [this.registry],
  });
  readonly batchDuration = new Histogram({
    name: 'sandtrap_ingest_batch_duration_seconds',
    help: 'Ingest request handling time',
    labelNames: ['source'],
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });
  readonly dbWriteDuration = new Histogram({
    name: 'sandtrap_ingest_db_write_duration_seconds',
    help: 'Database write time of an ingest batch',
    labelNames: ['source'],
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });

  readonly commitRequests = new Histogram({
    name: 'sandtrap_ingest_commit_requests',
    help: 'Ingest requests written together in one transaction (group commit)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [this.registry],
  });

  readonly hosts = this.gauge('sandtrap_hosts', 'Hosts by state', ['state']);
  readonly heartbeatAge = this.gauge(
    'sandtrap_host_heartbeat_age_seconds',
    "Seconds since the host's last heartbeat, capped at 7 days",
    ['host'],
  );
  readonly spoolDepth = this.gauge('sandtrap_agent_spool_depth', "Events in the agent's spool", ['host']);
  readonly spoolBytes = this.gauge('sandtrap_agent_spool_bytes', "Bytes of the agent's spool", ['host']);
  readonly eventsDropped = this.gauge(
    'sandtrap_agent_events_dropped',
    'Events the agent dropped since it started (counter semantics)',
    ['host'],
  );
  readonly lostKernelRecords = this.gauge(
    'sandtrap_agent_lost_kernel_records',
    'Kernel records lost as the agent reported them (counter semantics)',
    ['host'],
  );
  readonly rollupDeltasPending = this.gauge(
    'sandtrap_rollup_deltas_pending',
    'Stored batches whose rollup counts are not folded into the rollup tables yet (a few at most while folds keep up)',
    [],
  );
  readonly rolloutHosts = this.gauge(
    'sandtrap_policy_rollout_hosts',
    'Hosts by policy and rollout status (applied, pending, failed, drift, waiting)',
    ['policy', 'status'],
  );
  readonly fleetScrapeErrors = new Counter({
    name: 'sandtrap_fleet_scrape_errors_total',
    help: 'Fleet queries that failed at scrape time',
    registers: [this.registry],
  });

  readonly httpRequests = this.counter('sandtrap_http_requests_total', 'HTTP requests answered', [
    'method',
    'route',
    'status',
  ]);
  readonly httpDuration = new Histogram({
    name: 'sandtrap_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route'],
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });

  constructor(violationLabels: readonly ViolationLabel[], maxSeries: number) {
    this.violations = new Counter({
      name: 'sandtrap_violations_total',
      help: 'Security events newly stored (duplicates never count)',
      labelNames: violationLabels,
      registers: [this.registry],
    });
    this.violationSeriesLimit.set(maxSeries);
    collectDefaultMetrics({ register: this.registry });
  }

  private counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private gauge<L extends string>(name: string, help: string, labelNames: L[]): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }
}
