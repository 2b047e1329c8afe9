import type { Readable } from 'node:stream';
import { Controller, HttpCode, Post, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AuthToken } from '../auth/auth-token.js';
import { CurrentToken, Roles } from '../auth/auth.decorators.js';
import type { IngestResult } from './ingest-batch.js';
import { readIngestBody } from './ingest-body.js';
import {
  decodeAuditText,
  decodeFalcoAlert,
  decodeSecurityEvents,
  decodeToolEvents,
  type HostHint,
  type ToolSource,
} from './ingest-decoders.js';
import { IngestBodyError } from './ingest.errors.js';
import { IngestService } from './ingest.service.js';

/**
 * POST /v1/ingest/*: reads and decodes the body of each source, then hands the batch to the
 * service. Bodies arrive as streams (see ingest-body-parser.ts), so limits and gzip are ours.
 * `@CurrentToken()` is always set here: these routes are not public.
 */
@Controller('v1/ingest')
@Roles('ingest', 'agent', 'admin')
export class IngestController {
  constructor(private readonly service: IngestService) {}

  @Post('events')
  @HttpCode(202)
  async events(@Req() req: FastifyRequest, @CurrentToken() token: AuthToken): Promise<IngestResult> {
    const body = await this.body(req);
    return this.service.ingest(decodeSecurityEvents(body), token);
  }

  @Post('audit')
  @HttpCode(202)
  async audit(
    @Req() req: FastifyRequest,
    @CurrentToken() token: AuthToken,
    @Query('host') host?: string,
    @Query('bootId') bootId?: string,
  ): Promise<IngestResult> {
    const body = await this.body(req);
    const name = token.role === 'agent' ? token.hostName : (host ?? token.hostName);
    return this.service.ingest(decodeAuditText(body, name, bootId), token);
  }

  @Post('falco')
  @HttpCode(202)
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
  tetragon(@Req() req: FastifyRequest, @CurrentToken() t: AuthToken, @Query('host') host?: string) {
    return this.tool('tetragon', req, t, host);
  }

  @Post('tracee')
  @HttpCode(202)
  tracee(@Req() req: FastifyRequest, @CurrentToken() t: AuthToken, @Query('host') host?: string) {
    return this.tool('tracee', req, t, host);
  }

  @Post('inspektor-gadget')
  @HttpCode(202)
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
    return this.service.ingest(decodeToolEvents(tool, body, hostHint(token, host)), token);
  }

  private async body(req: FastifyRequest): Promise<Buffer> {
    const body = req.body;
    if (!isStream(body)) {
      throw new IngestBodyError(
        'invalid_body',
        'Send the body as application/x-ndjson, text/plain or application/octet-stream (optionally gzip)',
      );
    }
    return readIngestBody(body, req.headers['content-encoding'] as string | undefined);
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
