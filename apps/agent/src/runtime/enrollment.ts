import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { setTimeout as sleep } from 'node:timers/promises';
import { CheckpointStore } from '../checkpoint/checkpoint-store.js';
import type { AgentConfig } from '../config/agent-config.js';
import { ServiceClient, type Enrollment } from '../service/service-client.js';
import { ServiceError } from '../service/service.errors.js';
import { backoffDelay } from '../shipping/backoff.js';
import type { HostIdentity } from './host-identity.js';

const isEnrollment = (value: unknown): value is Enrollment & { server: string } => {
  const v = value as Record<string, unknown> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.hostId === 'string' &&
    typeof v.hostname === 'string' &&
    typeof v.token === 'string' &&
    typeof v.server === 'string'
  );
};

export const AGENT_VERSION = '0.1.0';

/**
 * The host's own credential: read from the state dir (0600), or obtained once by enrolling with
 * the ingest-role enrollment token. Retries until the service answers or the agent stops.
 * `renew`: enroll again even with a saved credential (the service answered 401 to it, e.g. its
 * database was wiped while the credential file stayed).
 */
export async function ensureEnrolled(
  config: AgentConfig,
  identity: HostIdentity,
  log: Logger,
  signal: AbortSignal,
  options: { renew?: boolean } = {},
): Promise<Enrollment> {
  const store = new CheckpointStore(join(config.stateDir, 'credentials.json'), isEnrollment);
  const saved = options.renew ? undefined : store.load();
  if (saved && saved.server === config.server.url && saved.hostname === identity.hostname) return saved;
  const enrollToken =
    config.server.enrollToken ??
    (config.server.enrollTokenFile ? readFileSync(config.server.enrollTokenFile, 'utf8').trim() : undefined);
  if (!enrollToken) {
    throw new ServiceError(
      'enroll_failed',
      'not enrolled yet and no enroll token (server.enrollToken or --enroll-token)',
    );
  }
  const client = new ServiceClient(config.server.url, enrollToken);
  for (let attempt = 0; ; attempt++) {
    try {
      const enrollment = await client.enroll({
        hostname: identity.hostname,
        bootId: identity.bootId,
        kernel: identity.kernel,
        arch: identity.arch,
        labels: config.host.labels,
        agentVersion: AGENT_VERSION,
      });
      store.save({ ...enrollment, server: config.server.url });
      log.info({ hostId: enrollment.hostId, hostname: enrollment.hostname }, 'enrolled');
      return enrollment;
    } catch (error) {
      if (error instanceof ServiceError && !error.retryable) throw error;
      const wait =
        error instanceof ServiceError && error.retryAfterMs !== undefined
          ? error.retryAfterMs
          : backoffDelay(attempt);
      log.warn({ err: (error as Error).message, waitMs: wait }, 'enrollment failed; retrying');
      await sleep(wait, undefined, { signal });
    }
  }
}
