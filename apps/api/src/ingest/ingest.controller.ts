import type { Readable } from 'node:stream';
import { Controller, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { AuthToken } from '../auth/auth-token.js';
import { CurrentToken, Roles } from '../auth/auth.decorators.js';
import type { IngestResult } from './ingest-batch.js';
import { expandIngestBody, readIngestBody, receiveIngestBody, type ReceivedBody } from './ingest-body.js';
import {
  decodeAuditText,
  decodeFalcoAlert,
  decodeSecurityEvents,
  decodeToolEvents,
  type HostHint,
  type ToolSource,
} from './ingest-decoders.js';
import { ApiIngestAnswers, ApiIngestBody, ApiIngestHostQuery } from './dto/ingest-request.schema.js';
import { IngestBodyError } from './ingest.errors.js';
import { IngestService } from './ingest.service.js';

/**
 * POST /v1/ingest/*: reads and decodes the body of each source, then hands the batch to the
 * service. Bodies arrive as streams (see ingest-body-parser.ts), so limits and gzip are ours.
 * `@CurrentToken()` is always set here: these routes are not public.
 */
@ApiTags('ingest')
@ApiBearerAuth()
@Controller('v1/ingest')
@Roles('ingest', 'agent', 'admin')
export class IngestController {
  constructor(private readonly service: IngestService) {}

  @Post('events')
  @HttpCode(202)
  @ApiOperation({ summary: 'SecurityEvents as NDJSON (what the agent ships)' })
  @ApiIngestAnswers()
  @ApiIngestBody('One SecurityEvent (schema SecurityEventDto) as JSON per line.')
  async events(@Req() req: FastifyRequest, @CurrentToken() token: AuthToken): Promise<IngestResult> {
    const body = await this.body(req);
    return this.service.ingest(
      { bytes: body.expandedSize, decode: () => decodeSecurityEvents(expandIngestBody(body)) },
      token,
    );
  }

  @Post('audit')
  @HttpCode(202)
  @ApiOperation({ summary: 'Kernel audit lines: raw or enriched audit.log, kmsg/dmesg, or journald' })
  @ApiIngestAnswers()
  @ApiIngestBody(
    'Audit lines, one record a line; SECCOMP records become events, others are skipped. A line may end ' +
      'with the byte 0x1E and space-separated `key=value` container fields (id, name, image, pod, ' +
      'namespace; 1-256 visible ASCII characters each), as the agent adds for a process it found in a ' +
      "container: they fill the event's `container` unless the record names one. A malformed " +
      'annotation rejects its line (`invalid_annotation`).',
  )
  @ApiIngestHostQuery('The host the lines came from; required unless the lines name it.')
  @ApiQuery({
    name: 'bootId',
    required: false,
    description: "The sending host's boot id (/proc/sys/kernel/random/boot_id), part of each event key",
    schema: { type: 'string' },
  })
  async audit(
    @Req() req: FastifyRequest,
    @CurrentToken() token: AuthToken,
    @Query('host') host?: string,
    @Query('bootId') bootId?: string,
  ): Promise<IngestResult> {
    const body = await this.body(req);
    const name = token.role === 'agent' ? token.hostName : (host ?? token.hostName);
    return this.service.ingest(
      { bytes: body.expandedSize, decode: () => decodeAuditText(expandIngestBody(body), name, bootId) },
      token,
    );
  }

  @Post('falco')
  @HttpCode(202)
  @ApiOperation({ summary: "One Falco alert as Falco's http_output posts it" })
  @ApiIngestAnswers()
  @ApiIngestBody("One Falco alert (Falco's JSON output); application/json bodies are limited to 1 MiB.", {
    json: true,
  })
  @ApiIngestHostQuery('The host, for an alert that names none.')
  async falco(
    @Req() req: FastifyRequest,
    @CurrentToken() token: AuthToken,
    @Query('host') host?: string,
  ): Promise<IngestResult> {
    let json: unknown = req.body;
    if (isStream(json)) {
      const text = (
        await readIngestBody(json, req.headers['content-encoding'] as string | undefined)
      ).toString('utf8');
      try {
        json = JSON.parse(text);
      } catch (error) {
        throw new IngestBodyError('invalid_body', `The Falco alert is not JSON: ${(error as Error).message}`);
      }
    }
    return this.service.ingest(decodeFalcoAlert(json, hostHint(token, host)), token);
  }

  @Post('tetragon')
  @HttpCode(202)
  @ApiOperation({ summary: 'Tetragon events as NDJSON (its JSON export, one event a line)' })
  @ApiIngestAnswers()
  @ApiIngestBody('One Tetragon JSON event per line.')
  @ApiIngestHostQuery('The host, for events that do not name it.')
  tetragon(@Req() req: FastifyRequest, @CurrentToken() t: AuthToken, @Query('host') host?: string) {
    return this.tool('tetragon', req, t, host);
  }

  @Post('tracee')
  @HttpCode(202)
  @ApiOperation({ summary: 'Tracee events as NDJSON (its JSON export, one event a line)' })
  @ApiIngestAnswers()
  @ApiIngestBody('One Tracee JSON event per line.')
  @ApiIngestHostQuery('The host, for events that do not name it.')
  tracee(@Req() req: FastifyRequest, @CurrentToken() t: AuthToken, @Query('host') host?: string) {
    return this.tool('tracee', req, t, host);
  }

  @Post('inspektor-gadget')
  @HttpCode(202)
  @ApiOperation({ summary: 'Inspektor Gadget events as NDJSON (its JSON export, one event a line)' })
  @ApiIngestAnswers()
  @ApiIngestBody('One Inspektor Gadget JSON event per line.')
  @ApiIngestHostQuery('The host, for events that do not name it.')
  inspektorGadget(@Req() req: FastifyRequest, @CurrentToken() t: AuthToken, @Query('host') host?: string) {
    return this.tool('inspektor-gadget', req, t, host);
  }

  private async tool(
    tool: ToolSource,
    req: FastifyRequest,
    token: AuthToken,
    host?: string,
  ): Promise<IngestResult> {
    const body = await this.body(req);
    return this.service.ingest(
      {
        bytes: body.expandedSize,
        decode: () => decodeToolEvents(tool, expandIngestBody(body), hostHint(token, host)),
      },
      token,
    );
  }

  /** The body as received: inflated only when the service decodes it (see ReceivedBody). */
  private async body(req: FastifyRequest): Promise<ReceivedBody> {
    const body = req.body;
    if (!isStream(body)) {
      throw new IngestBodyError(
        'invalid_body',
        'Send the body as application/x-ndjson, text/plain or application/octet-stream (optionally gzip)',
      );
    }
    return receiveIngestBody(body, req.headers['content-encoding'] as string | undefined);
  }
}

function isStream(v: unknown): v is Readable {
  return typeof v === 'object' && v !== null && typeof (v as Readable).pipe === 'function';
}

/** An agent's events are its host's, whatever they say; others may name the host with ?host=. */
function hostHint(token: AuthToken, host: string | undefined): HostHint {
  if (token.role === 'agent') return { host: token.hostName, forceHost: true };
  return host ? { host } : {};
}
