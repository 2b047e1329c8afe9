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
 * POSTs JSON, retrying network errors, timeouts, 429 and 5xx with exponential backoff; other
 * 4xx answers are final (the receiver refuses this body, resending will not help).
 */
export async function sendWebhook(
  url: string,
  body: unknown,
  policy: WebhookRetryPolicy,
  onAttempt: (o: WebhookAttemptOutcome) => Promise<void>,
): Promise<WebhookAttemptOutcome> {
  let last: WebhookAttemptOutcome = { ok: false, attempts: 0 };
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    const wait = backoffMs(policy, attempt);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    let retryable: boolean;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'sandtrap-alerts' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(policy.timeoutMs),
      });
      await res.arrayBuffer();
      last = {
        ok: res.ok,
        attempts: attempt,
        responseStatus: res.status,
        ...(res.ok ? {} : { error: `HTTP ${res.status}` }),
      };
      retryable = res.status === 429 || res.status >= 500;
    } catch (error) {
      last = { ok: false, attempts: attempt, error: (error as Error).message };
      retryable = true;
    }
    await onAttempt(last);
    if (last.ok || !retryable) return last;
  }
  return last;
}
