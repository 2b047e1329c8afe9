import { Controller, Get, HttpCode, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Pool } from 'pg';
import { Public } from '../auth/auth.decorators.js';
import { DomainError } from '../common/domain-error.js';
import { PG_POOL } from '../database/pg-pool.js';
import { ApiErrorResponses } from '../openapi/api-error-responses.js';

const READY_TIMEOUT_MS = 2000;

@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  @Get('healthz')
  @HttpCode(200)
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  healthz(): { status: string } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @ApiOperation({ summary: 'Readiness: the database answers (503 while it does not)' })
  @ApiOkResponse({ schema: { example: { status: 'ready' } } })
  @ApiErrorResponses(503)
  async readyz(): Promise<{ status: string }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${READY_TIMEOUT_MS} ms`)),
        READY_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([this.pool.query('SELECT 1'), timeout]);
      return { status: 'ready' };
    } catch (error) {
      throw new DomainError('unavailable', `The database does not answer: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }
}
