import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { actorOf } from '../audit-log/audit-log.service.js';
import type { AuthToken } from '../auth/auth-token.js';
import { CurrentToken, Roles } from '../auth/auth.decorators.js';
import { ValidationFailedError } from '../common/domain-error.js';
import { ApiErrorResponses } from '../openapi/api-error-responses.js';
import type { AlertRule } from './alert-rule.js';
import type { AlertDelivery } from './alert-rule.repository.js';
import { AlertRulesService } from './alert-rules.service.js';
import { AlertDeliveryListDto, AlertRuleDto, AlertRuleListDto } from './dto/alert-rule.dto.js';
import { CreateAlertRuleDto } from './dto/create-alert-rule.dto.js';
import { UpdateAlertRuleDto } from './dto/update-alert-rule.dto.js';
import { PageQueryDto } from '../common/page-query.dto.js';

function limitOf(raw: string | undefined): number {
  if (raw === undefined) return 50;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 500) {
    throw new ValidationFailedError([
      { pointer: '/limit', message: 'limit must be an integer from 1 to 500' },
    ]);
  }
  return n;
}

@ApiTags('alert-rules')
@ApiBearerAuth()
@Controller('v1/alert-rules')
export class AlertRulesController {
  constructor(private readonly rules: AlertRulesService) {}

  @Post()
  @Roles('operator')
  @ApiOperation({ summary: 'Create an alert rule: match, threshold over a window, webhook' })
  @ApiCreatedResponse({ type: AlertRuleDto })
  @ApiErrorResponses(400, 401, 403, 409, 415)
  create(@Body() body: CreateAlertRuleDto, @CurrentToken() caller: AuthToken): Promise<AlertRule> {
    return this.rules.create(body, actorOf(caller));
  }

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: 'List alert rules, by name, in keyset pages' })
  @ApiOkResponse({ type: AlertRuleListDto })
  @ApiErrorResponses(400, 401, 403)
  list(@Query() query: PageQueryDto): Promise<{ items: AlertRule[]; nextCursor: string | null }> {
    return this.rules.page(query.limit ?? 100, query.cursor);
  }

  @Get(':id')
  @Roles('viewer')
  @ApiOperation({ summary: 'One alert rule' })
  @ApiOkResponse({ type: AlertRuleDto })
  @ApiErrorResponses(400, 401, 403, 404)
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<AlertRule> {
    return this.rules.get(id);
  }

  @Patch(':id')
  @Roles('operator')
  @ApiOperation({ summary: 'Change an alert rule (any subset of its fields; enabled: false pauses it)' })
  @ApiOkResponse({ type: AlertRuleDto })
  @ApiErrorResponses(400, 401, 403, 404, 409, 415)
  update(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: UpdateAlertRuleDto,
    @CurrentToken() caller: AuthToken,
  ): Promise<AlertRule> {
    return this.rules.update(id, body, actorOf(caller));
  }

  @Delete(':id')
  @HttpCode(200)
  @Roles('operator')
  @ApiOperation({ summary: 'Delete an alert rule and its delivery history' })
  @ApiOkResponse({ type: AlertRuleDto, description: 'The deleted rule' })
  @ApiErrorResponses(400, 401, 403, 404)
  delete(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentToken() caller: AuthToken,
  ): Promise<AlertRule> {
    return this.rules.delete(id, actorOf(caller));
  }

  @Get(':id/deliveries')
  @Roles('viewer')
  @ApiOperation({ summary: "The rule's webhook deliveries, newest first, with each outcome" })
  @ApiQuery({
    name: 'limit',
    required: false,
    description: 'How many deliveries',
    schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  })
  @ApiOkResponse({ type: AlertDeliveryListDto })
  @ApiErrorResponses(400, 401, 403, 404)
  async deliveries(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query('limit') limit?: string,
  ): Promise<{ items: AlertDelivery[] }> {
    return { items: await this.rules.deliveries(id, limitOf(limit)) };
  }
}
