import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators.js';
import { ApiErrorResponses } from '../openapi/api-error-responses.js';
import { AuditLogService, type AuditLogPage } from './audit-log.service.js';
import { AuditLogPageDto } from './dto/audit-entry.dto.js';
import { AuditLogQueryDto } from './dto/audit-log-query.dto.js';

@ApiTags('audit-log')
@ApiBearerAuth()
@Controller('v1/audit-log')
export class AuditLogController {
  constructor(private readonly auditLog: AuditLogService) {}

  @Get()
  @Roles('operator')
  @ApiOperation({ summary: 'Who changed what, when: newest first, keyset pages' })
  @ApiOkResponse({ type: AuditLogPageDto })
  @ApiErrorResponses(400, 401, 403)
  list(@Query() query: AuditLogQueryDto): Promise<AuditLogPage> {
    const { limit = 100, ...filter } = query;
    return this.auditLog.list({ ...filter, limit });
  }
}
