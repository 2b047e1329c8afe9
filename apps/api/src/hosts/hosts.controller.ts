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
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { actorOf } from '../audit-log/audit-log.service.js';
import type { AuthToken } from '../auth/auth-token.js';
import { CurrentToken, HostScoped, Roles } from '../auth/auth.decorators.js';
import { ApiErrorResponses } from '../openapi/api-error-responses.js';
import { EnrolledHostDto, EnrollHostDto } from './dto/enroll-host.dto.js';
import { HeartbeatDto } from './dto/heartbeat.dto.js';
import { HostDto, HostListDto, UpdateHostDto } from './dto/host.dto.js';
import { HostListQueryDto } from './dto/host-list-query.dto.js';
import { HostAssignmentListDto, HostStatusDto } from './dto/host-status.dto.js';
import type { Host } from './host.js';
import type { HostAssignment } from './host-policy.port.js';
import { HostsService, type HostPage } from './hosts.service.js';

const uuid = new ParseUUIDPipe();

/** `env=prod,team=edge` (already checked by the DTO) as a label map. */
function parseLabelFilter(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const at = pair.indexOf('=');
    labels[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return labels;
}

@ApiTags('hosts')
@ApiBearerAuth()
@Controller('v1/hosts')
export class HostsController {
  constructor(private readonly hosts: HostsService) {}

  @Post('enroll')
  @Roles('ingest')
  @ApiOperation({ summary: 'Enroll a host (an agent on first start): answers its agent token' })
  @ApiCreatedResponse({ type: EnrolledHostDto })
  @ApiErrorResponses(400, 401, 403, 415)
  enroll(@Body() body: EnrollHostDto, @CurrentToken() caller: AuthToken): Promise<EnrolledHostDto> {
    const { hostname, ...facts } = body;
    return this.hosts.enroll({ name: hostname, ...facts }, actorOf(caller));
  }

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: 'The fleet: hosts with their labels and state, by name, in keyset pages' })
  @ApiOkResponse({ type: HostListDto })
  @ApiErrorResponses(400, 401, 403)
  list(@Query() query: HostListQueryDto): Promise<HostPage> {
    const { limit = 100, cursor, label, ...filter } = query;
    return this.hosts.list(
      { ...filter, ...(label ? { labels: parseLabelFilter(label) } : {}) },
      limit,
      cursor,
    );
  }

  @Get(':id')
  @Roles('viewer', 'agent')
  @HostScoped()
  @ApiOperation({ summary: 'One host' })
  @ApiOkResponse({ type: HostDto })
  @ApiErrorResponses(400, 401, 403, 404)
  get(@Param('id', uuid) id: string): Promise<Host> {
    return this.hosts.get(id);
  }

  @Patch(':id')
  @Roles('operator')
  @ApiOperation({ summary: "Replace a host's labels" })
  @ApiOkResponse({ type: HostDto })
  @ApiErrorResponses(400, 401, 403, 404, 415)
  update(
    @Param('id', uuid) id: string,
    @Body() body: UpdateHostDto,
    @CurrentToken() caller: AuthToken,
  ): Promise<Host> {
    return this.hosts.setLabels(id, body.labels, actorOf(caller));
  }

  @Delete(':id')
  @Roles('operator')
  @ApiOperation({
    summary:
      'Retire a decommissioned host: its stored events stay, it leaves the default list and the silent-host gauges, its agent tokens are revoked (enrolling the name again brings it back)',
  })
  @ApiOkResponse({ type: HostDto, description: 'The retired host (the same when it already was)' })
  @ApiErrorResponses(400, 401, 403, 404)
  retire(@Param('id', uuid) id: string, @CurrentToken() caller: AuthToken): Promise<Host> {
    return this.hosts.retire(id, actorOf(caller));
  }

  @Post(':id/heartbeat')
  @HttpCode(204)
  @Roles('agent')
  @HostScoped()
  @ApiOperation({ summary: "The agent's periodic health report" })
  @ApiNoContentResponse()
  @ApiErrorResponses(400, 401, 403, 404, 415)
  async heartbeat(@Param('id', uuid) id: string, @Body() body: HeartbeatDto): Promise<void> {
    await this.hosts.heartbeat(id, {
      agentVersion: body.agentVersion,
      bootId: body.bootId,
      health: { ...body.stats },
    });
  }

  @Get(':id/assignments')
  @Roles('agent', 'viewer')
  @HostScoped()
  @ApiOperation({ summary: 'The policies this host should apply' })
  @ApiOkResponse({ type: HostAssignmentListDto })
  @ApiErrorResponses(400, 401, 403, 404)
  async assignments(@Param('id', uuid) id: string): Promise<{ items: HostAssignment[] }> {
    return { items: await this.hosts.assignments(id) };
  }

  @Post(':id/status')
  @HttpCode(204)
  @Roles('agent')
  @HostScoped()
  @ApiOperation({ summary: 'What the agent applied: each profile with its hash, path or error' })
  @ApiNoContentResponse()
  @ApiErrorResponses(400, 401, 403, 404, 415)
  async status(@Param('id', uuid) id: string, @Body() body: HostStatusDto): Promise<void> {
    await this.hosts.reportStatus(id, body.profiles);
  }
}
