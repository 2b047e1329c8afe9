import { Controller, Get, Query } from '@nestjs/common';
import { Roles } from '../auth/auth.decorators.js';
import type { RawQuery } from './violation-query.params.js';
import { ViolationsService } from './violations.service.js';

/** GET /v1/violations, /stats, /timeseries: the query parameters are validated by the service. */
@Controller('v1/violations')
@Roles('viewer')
export class ViolationsController {
  constructor(private readonly service: ViolationsService) {}

  @Get()
  list(@Query() query: RawQuery) {
    return this.service.list(query);
  }

  @Get('stats')
  stats(@Query() query: RawQuery) {
    return this.service.stats(query);
  }

  @Get('timeseries')
  timeseries(@Query() query: RawQuery) {
    return this.service.timeseries(query);
  }
}
