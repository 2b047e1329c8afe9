import {
  Agent as HttpAgent,
  request as httpRequest,
  type ClientRequest,
  type RequestOptions,
} from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
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
   * Sends lines gzipped: lines, or bytes already lines (a spool batch, sent without decoding), to
   * `path` (default: SecurityEvent NDJSON; or `/v1/ingest/audit?bootId=...` for audit text).
   * The whole-batch answer status is in the thrown error.
   */
  async ingest(ndjson: Buffer | readonly string[], path = '/v1/ingest/events'): Promise<IngestAnswer> {
    // Level 1: most of gzip's gain on NDJSON for a fraction of level 6's CPU.
    const body = gzipSync(Buffer.isBuffer(ndjson) ? ndjson : ndjson.join('\n') + '\n', { level: 1 });
    const answer = await this.call('POST', path, body, {
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
    let response: { status: number; retryAfter: string | undefined; text: string };
    try {
      response = await send(new URL(path, this.baseUrl), method, body, {
        ...headers,
        authorization: `Bearer ${this.token}`,
      });
    } catch (error) {
      throw new ServiceError('service_unreachable', `${method} ${path}: ${(error as Error).message}`);
    }
    const { status, text } = response;
    if (status < 200 || status > 299) {
      throw new ServiceError(
        'service_rejected',
        `${method} ${path}: ${status} ${text.slice(0, 300)}`,
        status,
        parseRetryAfter(response.retryAfter, Date.now()),
      );
    }
    if (text === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ServiceError('service_rejected', `${method} ${path}: answer is not JSON`, status);
    }
  }
}

// node:http rather than fetch: fetch loads undici on first use, ~10 MB of the idle agent's RSS
// (test/bench/RESULTS.md, Agent). Connections are kept alive between requests, as fetch did.
const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 4 });
let httpsAgent: HttpsAgent | undefined;
let httpsRequest: typeof import('node:https').request | undefined;

async function send(
  url: URL,
  method: string,
  body: string | Buffer | undefined,
  headers: Record<string, string>,
): Promise<{ status: number; retryAfter: string | undefined; text: string }> {
  const options: RequestOptions = { method, headers, timeout: TIMEOUT_MS };
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  let req: ClientRequest;
  if (url.protocol === 'https:') {
    // TLS is loaded only for an https server.
    if (!httpsRequest) {
      const https = await import('node:https');
      httpsRequest = https.request;
      httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 4 });
    }
    req = httpsRequest(url, { ...options, agent: httpsAgent });
  } else {
    req = httpRequest(url, { ...options, agent: httpAgent });
  }
  return new Promise((resolve, reject) => {
    req.on('timeout', () => req.destroy(new Error(`no answer in ${TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const retryAfter = res.headers['retry-after'];
        resolve({
          status: res.statusCode ?? 0,
          retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
          text: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    req.end(body);
  });
}
