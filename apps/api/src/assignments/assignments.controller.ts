import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
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
import { CurrentToken, Roles } from '../auth/auth.decorators.js';
import { PageQueryDto } from '../common/page-query.dto.js';
import { ApiErrorResponses } from '../openapi/api-error-responses.js';
import { AssignmentDto, AssignmentListDto, CreateAssignmentDto } from './dto/assignment.dto.js';
import { AssignmentsService, type AssignmentView } from './assignments.service.js';

const uuid = new ParseUUIDPipe();

@ApiTags('assignments')
@ApiBearerAuth()
@Controller('v1/assignments')
export class AssignmentsController {
  constructor(private readonly assignments: AssignmentsService) {}

  @Post()
  @Roles('operator')
  @ApiOperation({
    summary:
      'Assign a policy version to hosts by selector, enforcing or in log mode, at once or canary first',
  })
  @ApiCreatedResponse({ type: AssignmentDto })
  @ApiErrorResponses(400, 401, 403, 404, 415)
  create(@Body() body: CreateAssignmentDto, @CurrentToken() caller: AuthToken): Promise<AssignmentView> {
    return this.assignments.assign(body, actorOf(caller));
  }

  @Get()
  @Roles('viewer')
  @ApiOperation({
    summary: 'Every assignment with its rollout stage and hosts by status, oldest first, in keyset pages',
  })
  @ApiOkResponse({ type: AssignmentListDto })
  @ApiErrorResponses(400, 401, 403)
  list(@Query() query: PageQueryDto): Promise<{ items: AssignmentView[]; nextCursor: string | null }> {
    return this.assignments.page(query.limit ?? 100, query.cursor);
  }

  @Get(':id')
  @Roles('viewer')
  @ApiOperation({
    summary:
      'One assignment with each host: expected and reported profile hash, status (applied, pending, failed, drift)',
  })
  @ApiOkResponse({ type: AssignmentDto })
  @ApiErrorResponses(400, 401, 403, 404)
  get(@Param('id', uuid) id: string): Promise<AssignmentView> {
    return this.assignments.get(id);
  }

  @Post(':id/promote')
  @Roles('operator')
  @HttpCode(200)
  @ApiOperation({ summary: 'Canary to every selected host' })
  @ApiOkResponse({ type: AssignmentDto })
  @ApiErrorResponses(400, 401, 403, 404, 409)
  promote(@Param('id', uuid) id: string, @CurrentToken() caller: AuthToken): Promise<AssignmentView> {
    return this.assignments.promote(id, actorOf(caller));
  }

  @Post(':id/rollback')
  @Roles('operator')
  @HttpCode(200)
  @ApiOperation({ summary: 'Every host back to the previous version (or to none, for a first rollout)' })
  @ApiOkResponse({ type: AssignmentDto })
  @ApiErrorResponses(400, 401, 403, 404, 409)
  rollback(@Param('id', uuid) id: string, @CurrentToken() caller: AuthToken): Promise<AssignmentView> {
    return this.assignments.rollback(id, actorOf(caller));
  }

  @Delete(':id')
  @Roles('operator')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove an assignment: its hosts drop the profile' })
  @ApiNoContentResponse()
  @ApiErrorResponses(400, 401, 403, 404)
  async remove(@Param('id', uuid) id: string, @CurrentToken() caller: AuthToken): Promise<void> {
    await this.assignments.remove(id, actorOf(caller));
  }
}
