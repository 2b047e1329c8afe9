import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators.js';
import { ApiErrorResponses } from '../openapi/api-error-responses.js';
import { ViolationPageDto, ViolationStatsDto, ViolationTimeseriesDto } from './dto/violation-page.dto.js';
import {
  ApiViolationListQuery,
  ApiViolationStatsQuery,
  ApiViolationTimeseriesQuery,
} from './dto/violation-query.schema.js';
import type { RawQuery } from './violation-query.params.js';
import { ViolationsService } from './violations.service.js';

/** GET /v1/violations, /stats, /timeseries: the query parameters are validated by the service. */
@ApiTags('violations')
@ApiBearerAuth()
@Controller('v1/violations')
@Roles('viewer')
export class ViolationsController {
  constructor(private readonly service: ViolationsService) {}

  @Get()
  @ApiOperation({ summary: 'Stored events, newest first, filtered, in keyset pages' })
  @ApiViolationListQuery()
  @ApiOkResponse({ type: ViolationPageDto })
  @ApiErrorResponses(400, 401, 403, 503)
  list(@Query() query: RawQuery) {
    return this.service.list(query);
  }

  @Get('stats')
  @ApiOperation({ summary: 'Event counts grouped by one dimension over a time range, largest first' })
  @ApiViolationStatsQuery()
  @ApiOkResponse({ type: ViolationStatsDto })
  @ApiErrorResponses(400, 401, 403, 503)
  stats(@Query() query: RawQuery) {
    return this.service.stats(query);
  }

  @Get('timeseries')
  @ApiOperation({ summary: 'Event counts per time bucket and action over a time range' })
  @ApiViolationTimeseriesQuery()
  @ApiOkResponse({ type: ViolationTimeseriesDto })
  @ApiErrorResponses(400, 401, 403, 503)
  timeseries(@Query() query: RawQuery) {
    return this.service.timeseries(query);
  }
}
