import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '../database/pg-pool.js';
import { ViolationQueryRepository } from './violation-query.repository.js';
import { ViolationsController } from './violations.controller.js';
import { ViolationsService } from './violations.service.js';

/** GET /v1/violations, /stats, /timeseries. */
@Module({
  controllers: [ViolationsController],
  providers: [
    {
      provide: ViolationQueryRepository,
      useFactory: (pool: Pool) => new ViolationQueryRepository(pool),
      inject: [PG_POOL],
    },
    {
      provide: ViolationsService,
      useFactory: (repository: ViolationQueryRepository) => new ViolationsService(repository),
      inject: [ViolationQueryRepository],
    },
  ],
})
export class ViolationsModule {}
