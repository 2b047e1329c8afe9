import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { AssignmentsService } from '../assignments/assignments.service.js';
import { IngestEvents } from '../ingest/ingest-events.js';
import { FleetMetricsCollector } from './fleet-metrics.collector.js';
import { FleetMetricsRepository } from './fleet-metrics.repository.js';
import { registerHttpMetrics } from './http-metrics.hook.js';
import { IngestMetricsListener } from './ingest-metrics.listener.js';
import { METRICS_CONFIG } from './metrics.tokens.js';
import { RolloutMetricsCollector } from './rollout-metrics.collector.js';
import type { MetricsConfig } from './metrics-config.js';
import { SandtrapMetrics } from './sandtrap-metrics.js';
import { ViolationSeriesLimiter } from './violation-series-limiter.js';

const logger = new Logger('Metrics');

/** Wires the metrics to their sources (ingest events, HTTP, the hosts table) and renders a scrape. */
@Injectable()
export class MetricsService implements OnModuleInit, OnModuleDestroy {
  private readonly listener: IngestMetricsListener;
  private readonly fleet: FleetMetricsCollector;
  private rollout: RolloutMetricsCollector | undefined;
  private unsubscribe: Array<() => void> = [];

  constructor(
    readonly metrics: SandtrapMetrics,
    @Inject(METRICS_CONFIG) config: MetricsConfig,
    repository: FleetMetricsRepository,
    private readonly moduleRef: ModuleRef,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.listener = new IngestMetricsListener(
      metrics,
      new ViolationSeriesLimiter(config.violationLabels, config.maxSeries),
    );
    this.fleet = new FleetMetricsCollector(metrics, repository, config.maxHosts);
  }

  onModuleInit(): void {
    // Ingest owns IngestEvents and never imports metrics; look it up across modules instead
    // of importing the ingest module, so metrics also boot in an app without ingest.
    let events: IngestEvents | undefined;
    try {
      events = this.moduleRef.get(IngestEvents, { strict: false });
    } catch {
      logger.warn('No IngestEvents provider: ingest metrics stay at zero');
    }
    if (events) {
      this.unsubscribe.push(
        events.onBatchStored((e) => this.guard(() => this.listener.onBatchStored(e))),
        events.onBatchFailed((e) => this.guard(() => this.listener.onBatchFailed(e))),
        events.onGroupWritten((e) => this.guard(() => this.metrics.commitRequests.observe(e.requests))),
      );
    }
    let assignments: AssignmentsService | undefined;
    try {
      assignments = this.moduleRef.get(AssignmentsService, { strict: false });
    } catch {
      logger.warn('No AssignmentsService: sandtrap_policy_rollout_hosts is not exported');
    }
    this.rollout = new RolloutMetricsCollector(this.metrics, assignments);
    registerHttpMetrics(this.adapterHost.httpAdapter.getInstance<FastifyInstance>(), this.metrics);
  }

  onModuleDestroy(): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
  }

  get contentType(): string {
    return this.metrics.registry.contentType;
  }

  async render(): Promise<string> {
    await Promise.all([this.fleet.refresh(), this.rollout?.refresh()]);
    return this.metrics.registry.metrics();
  }

  /** Listeners run inside ingest's call after its commit: a metrics bug must not fail ingest. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      logger.error(`Metrics listener failed: ${(error as Error).message}`);
    }
  }
}
