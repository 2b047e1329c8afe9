import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/auth.decorators.js';
import { UnauthorizedError } from '../auth/auth.errors.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { carriesMetricsToken } from './metrics-token.js';
import { MetricsService } from './metrics.service.js';

@Controller()
export class MetricsController {
  constructor(
    private readonly service: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Prometheus text format; open unless SANDTRAP_METRICS_TOKEN is set (docs/metrics.md). */
  @Public()
  @Get('metrics')
  @ApiExcludeEndpoint()
  async scrape(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const token = this.config.metricsToken;
    if (token !== undefined && !carriesMetricsToken(request.headers.authorization, token)) {
      throw new UnauthorizedError(
        'Send the metrics token (SANDTRAP_METRICS_TOKEN) as "Authorization: Bearer <token>"',
      );
    }
    void reply.header('content-type', this.service.contentType);
    return this.service.render();
  }
}
