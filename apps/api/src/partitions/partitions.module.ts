import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { PG_POOL } from '../database/pg-pool.js';
import { PartitionMaintenanceJob } from './partition-maintenance.job.js';
import { PartitionMaintenance } from './partition-maintenance.service.js';
import { PartitionRepository } from './partition.repository.js';

/** Daily partitions of `violations`: ahead of time, on demand for ingest, and retention. */
@Module({
  providers: [
    {
      provide: PartitionRepository,
      useFactory: (pool: Pool) => new PartitionRepository(pool),
      inject: [PG_POOL],
    },
    {
      provide: PartitionMaintenance,
      useFactory: (repository: PartitionRepository, config: AppConfig) =>
        new PartitionMaintenance(repository, {
          retentionDays: config.retentionDays,
          rollupRetentionDays: config.rollupRetentionDays,
        }),
      inject: [PartitionRepository, APP_CONFIG],
    },
    PartitionMaintenanceJob,
  ],
  exports: [PartitionMaintenance],
})
export class PartitionsModule {}
