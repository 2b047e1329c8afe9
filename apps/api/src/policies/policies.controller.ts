import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  ParseIntPipe,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { defaultTemplate, type SeccompProfile } from '@sandtrap/seccomp-profile';
import { actorOf } from '../audit-log/audit-log.service.js';
import type { AuthToken } from '../auth/auth-token.js';
import { CurrentToken, Roles } from '../auth/auth.decorators.js';
import { DomainError, ValidationFailedError } from '../common/domain-error.js';
import { PageQueryDto } from '../common/page-query.dto.js';
import { ApiErrorResponses } from '../openapi/api-error-responses.js';
import { CreatePolicyDto, UpdatePolicyDto } from './dto/create-policy.dto.js';
import {
  GeneratedProfileDto,
  PolicyDiffDto,
  PolicyListDto,
  PolicyVersionDto,
  PolicyVersionListDto,
  SimulationDto,
} from './dto/policy.dto.js';
import { GeneratePolicyDto, SimulatePolicyDto } from './dto/simulate-policy.dto.js';
import { PoliciesService, type ExportFormat, type SavedVersion } from './policies.service.js';
import { PolicySimulationService, type GenerateAnswer } from './policy-simulation.service.js';
import type { Policy, PolicyVersion, PolicyVersionSummary } from './policy.js';

const version = new ParseIntPipe({
  exceptionFactory: () =>
    new ValidationFailedError([{ pointer: '/version', message: 'a version is a positive integer' }]),
});

/** `If-Match: 3`, `"3"` or `W/"3"`: the version the change was made against. */
export function parseIfMatch(header: string | undefined): number {
  if (header === undefined || header.trim() === '') {
    throw new DomainError(
      'precondition_required',
      'If-Match is required: send the version your change is based on',
      {
        header: 'if-match',
      },
    );
  }
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!match) {
    throw new ValidationFailedError([
      { pointer: '', message: 'If-Match must hold a policy version number, e.g. "3"' },
    ]);
  }
  return Number(match[1]);
}

@ApiTags('policies')
@ApiBearerAuth()
@Controller('v1/policies')
export class PoliciesController {
  constructor(
    private readonly policies: PoliciesService,
    private readonly simulation: PolicySimulationService,
  ) {}

  @Post()
  @Roles('operator')
  @ApiOperation({ summary: 'Create a policy: version 1 of its profile (OCI JSON or SPO YAML)' })
  @ApiCreatedResponse({ type: PolicyVersionDto })
  @ApiErrorResponses(400, 401, 403, 409, 413, 415)
  async create(
    @Body() body: CreatePolicyDto,
    @CurrentToken() caller: AuthToken,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SavedVersion> {
    const saved = await this.policies.create(body, actorOf(caller));
    reply.header('etag', `"${saved.version}"`);
    return saved;
  }

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: 'Every policy with its latest version, by name, in keyset pages' })
  @ApiOkResponse({ type: PolicyListDto })
  @ApiErrorResponses(400, 401, 403)
  list(@Query() query: PageQueryDto): Promise<{ items: Policy[]; nextCursor: string | null }> {
    return this.policies.page(query.limit ?? 100, query.cursor);
  }

  @Get('template')
  @Roles('viewer')
  @ApiOperation({
    summary:
      'The built-in starting profile: what a container runtime allows, the dangerous families blocked (each rule says why)',
  })
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: true } })
  @ApiErrorResponses(401, 403)
  template(): SeccompProfile {
    return defaultTemplate();
  }

  @Post('generate')
  @Roles('operator')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'A minimal allow-list profile from the events recorded for some hosts (for example under a profile in LOG mode)',
  })
  @ApiOkResponse({ type: GeneratedProfileDto })
  @ApiErrorResponses(400, 401, 403, 412, 415)
  generate(@Body() body: GeneratePolicyDto, @CurrentToken() caller: AuthToken): Promise<GenerateAnswer> {
    return this.simulation.generate(body, actorOf(caller));
  }

  @Get(':name')
  @Roles('viewer')
  @ApiOperation({ summary: 'A policy at its latest version (ETag: the version)' })
  @ApiOkResponse({ type: PolicyVersionDto })
  @ApiErrorResponses(401, 403, 404)
  async get(
    @Param('name') name: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PolicyVersion & { description: string | null }> {
    const latest = await this.policies.latest(name);
    reply.header('etag', `"${latest.version}"`);
    return latest;
  }

  @Put(':name')
  @Roles('operator')
  @ApiOperation({ summary: 'A new version of the profile; If-Match must name the latest version' })
  @ApiHeader({
    name: 'If-Match',
    required: true,
    description: 'The version this change is based on, e.g. "3"',
  })
  @ApiOkResponse({ type: PolicyVersionDto })
  @ApiErrorResponses(400, 401, 403, 404, 412, 413, 415, 428)
  async update(
    @Param('name') name: string,
    @Body() body: UpdatePolicyDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentToken() caller: AuthToken,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SavedVersion> {
    const saved = await this.policies.update(name, body, parseIfMatch(ifMatch), actorOf(caller));
    reply.header('etag', `"${saved.version}"`);
    return saved;
  }

  @Delete(':name')
  @Roles('operator')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a policy and its versions; refused (409) while assigned' })
  @ApiNoContentResponse()
  @ApiErrorResponses(401, 403, 404, 409)
  async remove(@Param('name') name: string, @CurrentToken() caller: AuthToken): Promise<void> {
    await this.policies.delete(name, actorOf(caller));
  }

  @Get(':name/versions')
  @Roles('viewer')
  @ApiOperation({ summary: 'Every version, newest first' })
  @ApiOkResponse({ type: PolicyVersionListDto })
  @ApiErrorResponses(401, 403, 404)
  async versions(@Param('name') name: string): Promise<{ items: PolicyVersionSummary[] }> {
    return { items: await this.policies.versions(name) };
  }

  @Get(':name/versions/:version')
  @Roles('viewer')
  @ApiOperation({ summary: 'One version' })
  @ApiOkResponse({ type: PolicyVersionDto })
  @ApiErrorResponses(400, 401, 403, 404)
  getVersion(@Param('name') name: string, @Param('version', version) v: number): Promise<PolicyVersion> {
    return this.policies.version(name, v);
  }

  @Get(':name/versions/:version/export')
  @Roles('viewer')
  @ApiOperation({
    summary: 'The bare profile file: OCI JSON (for runc, Docker, kubelet) or an SPO SeccompProfile',
  })
  @ApiQuery({
    name: 'format',
    required: false,
    description: 'oci: OCI/Docker JSON; spo: a security-profiles-operator SeccompProfile (YAML)',
    schema: { type: 'string', enum: ['oci', 'spo'], default: 'oci' },
  })
  @ApiProduces('application/json', 'application/yaml')
  @ApiOkResponse({
    description: 'The profile file',
    content: {
      'application/json': { schema: { type: 'object', additionalProperties: true } },
      'application/yaml': { schema: { type: 'string' } },
    },
  })
  @ApiErrorResponses(400, 401, 403, 404)
  async export(
    @Param('name') name: string,
    @Param('version', version) v: number,
    @Query('format') format: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const chosen = format ?? 'oci';
    if (chosen !== 'oci' && chosen !== 'spo') {
      throw new ValidationFailedError([{ pointer: '/format', message: 'format must be "oci" or "spo"' }]);
    }
    const file = await this.policies.export(name, v, chosen as ExportFormat);
    reply.type(file.contentType);
    return file.body;
  }

  @Get(':name/diff')
  @Roles('viewer')
  @ApiOperation({ summary: 'Syscalls whose action changed between two versions, per arch' })
  @ApiQuery({ name: 'from', description: 'The older version', schema: { type: 'integer', minimum: 1 } })
  @ApiQuery({ name: 'to', description: 'The newer version', schema: { type: 'integer', minimum: 1 } })
  @ApiOkResponse({ type: PolicyDiffDto })
  @ApiErrorResponses(400, 401, 403, 404)
  diff(
    @Param('name') name: string,
    @Query('from', version) from: number,
    @Query('to', version) to: number,
  ): Promise<PolicyDiffDto> {
    return this.policies.diff(name, from, to);
  }

  @Post(':name/versions/:version/simulate')
  @Roles('viewer')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'What this version would newly block, newly allow, or keep, replayed over the events recorded for some hosts',
  })
  @ApiOkResponse({ type: SimulationDto })
  @ApiErrorResponses(400, 401, 403, 404, 415)
  simulate(
    @Param('name') name: string,
    @Param('version', version) v: number,
    @Body() body: SimulatePolicyDto,
  ): Promise<SimulationDto> {
    return this.simulation.simulate(name, v, body);
  }
}
