import { Module } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../database/pg-pool.js';
import { FleetMetricsRepository } from './fleet-metrics.repository.js';
import { loadMetricsConfig, type MetricsConfig } from './metrics-config.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';
import { METRICS_CONFIG } from './metrics.tokens.js';
import { SandtrapMetrics } from './sandtrap-metrics.js';

/** GET /metrics and every metric of the API (docs/metrics.md). */
@Module({
  controllers: [MetricsController],
  providers: [
    { provide: METRICS_CONFIG, useFactory: () => loadMetricsConfig(process.env) },
    {
      provide: SandtrapMetrics,
      inject: [METRICS_CONFIG],
      useFactory: (config: MetricsConfig) => new SandtrapMetrics(config.violationLabels, config.maxSeries),
    },
    {
      provide: FleetMetricsRepository,
      inject: [PG_POOL],
      useFactory: (pool: pg.Pool) => new FleetMetricsRepository(pool),
    },
    MetricsService,
  ],
  exports: [SandtrapMetrics],
})
export class MetricsModule {}
