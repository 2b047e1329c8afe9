import { gzipSync } from 'node:zlib';
import { parseRetryAfter } from '../shipping/backoff.js';
import { ServiceError } from './service.errors.js';

export interface IngestAnswer {
  accepted: number;
  duplicates: number;
  rejected: number;
  errors: { index: number; code: string; message: string }[];
}

export interface Enrollment {
  hostId: string;
  hostname: string;
  token: string;
}

export interface Assignment {
  policy: string;
  version?: number | string;
  sha256?: string;
  mode?: string;
  profile: unknown;
}

export interface ProfileStatus {
  policy: string;
  sha256?: string;
  path?: string;
  error?: string;
}

export interface HeartbeatStats {
  eventsRead: number;
  eventsShipped: number;
  eventsDropped: number;
  spoolDepth: number;
  spoolBytes: number;
  lostKernelRecords: number;
  lastError?: string;
  sources?: Record<string, unknown>;
}

const TIMEOUT_MS = 30_000;

/** The agent's HTTP calls to the Sandtrap service (contract in docs: ingest and hosts routes). */
export class ServiceClient {
  constructor(
    private readonly baseUrl: string,
    private token: string,
  ) {}

  useToken(token: string): void {
    this.token = token;
  }

  /**
   * Sends NDJSON gzipped: lines, or bytes already NDJSON (a spool batch, sent without decoding).
   * The whole-batch answer status is in the thrown error.
   */
  async ingest(ndjson: Buffer | readonly string[]): Promise<IngestAnswer> {
    // Level 1: most of gzip's gain on NDJSON for a fraction of level 6's CPU.
    const body = gzipSync(Buffer.isBuffer(ndjson) ? ndjson : ndjson.join('\n') + '\n', { level: 1 });
    const answer = await this.call('POST', '/v1/ingest/events', body, {
      'content-type': 'application/x-ndjson',
      'content-encoding': 'gzip',
    });
    return answer as IngestAnswer;
  }

  async enroll(body: {
    hostname: string;
    bootId?: string;
    kernel?: string;
    arch?: string;
    labels?: Record<string, string>;
    agentVersion?: string;
  }): Promise<Enrollment> {
    return (await this.json('POST', '/v1/hosts/enroll', body)) as Enrollment;
  }

  async heartbeat(hostId: string, body: { agentVersion?: string; bootId?: string; stats: HeartbeatStats }) {
    await this.json('POST', `/v1/hosts/${encodeURIComponent(hostId)}/heartbeat`, body);
  }

  async assignments(hostId: string): Promise<Assignment[]> {
    const answer = (await this.json('GET', `/v1/hosts/${encodeURIComponent(hostId)}/assignments`)) as {
      items?: Assignment[];
    };
    return Array.isArray(answer?.items) ? answer.items : [];
  }

  async reportStatus(hostId: string, profiles: ProfileStatus[]): Promise<void> {
    await this.json('POST', `/v1/hosts/${encodeURIComponent(hostId)}/status`, { profiles });
  }

  private json(method: string, path: string, body?: unknown): Promise<unknown> {
    return this.call(
      method,
      path,
      body === undefined ? undefined : JSON.stringify(body),
      body === undefined ? {} : { 'content-type': 'application/json' },
    );
  }

  private async call(
    method: string,
    path: string,
    body: string | Buffer | undefined,
    headers: Record<string, string>,
  ): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.baseUrl), {
        method,
        body,
        headers: { ...headers, authorization: `Bearer ${this.token}` },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new ServiceError('service_unreachable', `${method} ${path}: ${(error as Error).message}`);
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) {
      throw new ServiceError(
        'service_rejected',
        `${method} ${path}: ${response.status} ${text.slice(0, 300)}`,
        response.status,
        parseRetryAfter(response.headers.get('retry-after'), Date.now()),
      );
    }
    if (text === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ServiceError('service_rejected', `${method} ${path}: answer is not JSON`, response.status);
    }
  }
}
