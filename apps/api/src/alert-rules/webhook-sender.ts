import http from 'node:http';
import https from 'node:https';
import {
  guardedLookup,
  isDenied,
  literalAddress,
  WebhookTargetDenied,
  type DeniedNetworks,
} from './webhook-target.js';

export interface WebhookAttemptOutcome {
  ok: boolean;
  attempts: number;
  responseStatus?: number;
  error?: string;
}

export interface WebhookRetryPolicy {
  attempts: number;
  /** Delay before the second attempt; doubled for each one after. */
  firstDelayMs: number;
  timeoutMs: number;
}

export const DEFAULT_RETRY: WebhookRetryPolicy = { attempts: 5, firstDelayMs: 500, timeoutMs: 5000 };

/** Delay before attempt `n` (1-based; the first attempt has none). */
export function backoffMs(policy: WebhookRetryPolicy, attempt: number): number {
  return attempt <= 1 ? 0 : policy.firstDelayMs * 2 ** (attempt - 2);
}

/**
 * One POST of a JSON body; resolves with the HTTP status. Redirects are not followed (a 3xx is an
 * answer like any other), and the target's address must lie outside the denied networks.
 */
function postJson(url: string, json: string, timeoutMs: number, denied: DeniedNetworks): Promise<number> {
  const target = new URL(url);
  const literal = literalAddress(target);
  if (literal !== undefined && isDenied(denied, literal)) {
    return Promise.reject(new WebhookTargetDenied(literal, literal, denied));
  }
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      target,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(json),
          'user-agent': 'sandtrap-alerts',
        },
        lookup: guardedLookup(denied),
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(json);
  });
}

/**
 * POSTs JSON, retrying network errors, timeouts, 429 and 5xx with exponential backoff; other
 * 4xx answers are final (the receiver refuses this body, resending will not help), and so is a
 * target inside a denied network.
 */
export async function sendWebhook(
  url: string,
  body: unknown,
  policy: WebhookRetryPolicy,
  onAttempt: (o: WebhookAttemptOutcome) => Promise<void>,
  denied: DeniedNetworks,
): Promise<WebhookAttemptOutcome> {
  const json = JSON.stringify(body);
  let last: WebhookAttemptOutcome = { ok: false, attempts: 0 };
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    const wait = backoffMs(policy, attempt);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    let retryable: boolean;
    try {
      const status = await postJson(url, json, policy.timeoutMs, denied);
      const ok = status >= 200 && status < 300;
      last = { ok, attempts: attempt, responseStatus: status, ...(ok ? {} : { error: `HTTP ${status}` }) };
      retryable = status === 429 || status >= 500;
    } catch (error) {
      last = { ok: false, attempts: attempt, error: (error as Error).message };
      retryable = !(error instanceof WebhookTargetDenied);
    }
    await onAttempt(last);
    if (last.ok || !retryable) return last;
  }
  return last;
}
