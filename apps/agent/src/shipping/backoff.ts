export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  random?: () => number;
}

/** Longest Retry-After honoured, so a bad header cannot park the agent for days. */
export const RETRY_AFTER_CAP_MS = 60 * 60 * 1000;

/** Exponential backoff with "equal jitter": half the window fixed, half random. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 500;
  const max = options.maxMs ?? 60_000;
  const window = Math.min(max, base * 2 ** Math.min(Math.max(0, attempt), 30));
  return Math.round(window / 2 + (options.random ?? Math.random)() * (window / 2));
}

/** Retry-After as delta-seconds or an HTTP date; undefined when absent or garbage. */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, RETRY_AFTER_CAP_MS);
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - nowMs), RETRY_AFTER_CAP_MS);
}

/** The wait before retry `attempt`: the server's Retry-After when it gave one, else backoff. */
export function retryDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  options: BackoffOptions = {},
): number {
  return retryAfterMs ?? backoffDelay(attempt, options);
}
