import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '../database/pg-pool.js';
import { PartitionMaintenance } from '../partitions/partition-maintenance.service.js';
import { PartitionsModule } from '../partitions/partitions.module.js';
import { IngestEvents } from './ingest-events.js';
import { IngestController } from './ingest.controller.js';
import { IngestService } from './ingest.service.js';
import { RollupFolder } from './rollup-folder.js';
import { ViolationWriterRepository } from './violation-writer.repository.js';

/**
 * POST /v1/ingest/*, and the IngestEvents others subscribe to. The raw-body parser of these
 * routes is registered by app.factory.ts (CONTENT_TYPE_PARSERS), before any route.
 */
@Module({
  imports: [PartitionsModule],
  controllers: [IngestController],
  providers: [
    IngestEvents,
    {
      provide: ViolationWriterRepository,
      useFactory: (pool: Pool) => new ViolationWriterRepository(pool),
      inject: [PG_POOL],
    },
    {
      provide: IngestService,
      useFactory: (
        writer: ViolationWriterRepository,
        partitions: PartitionMaintenance,
        events: IngestEvents,
      ) => new IngestService(writer, partitions, events),
      inject: [ViolationWriterRepository, PartitionMaintenance, IngestEvents],
    },
    RollupFolder,
  ],
  exports: [IngestEvents],
})
export class IngestModule {}
