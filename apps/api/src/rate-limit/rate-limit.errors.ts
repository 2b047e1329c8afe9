/**
 * The caller sent more requests than its limit allows; answered as 429 with Retry-After (the
 * global error answer reads `retryAfterSeconds`).
 */
export class RateLimitedError extends Error {
  readonly code = 'rate_limited';
  constructor(
    readonly retryAfterSeconds: number,
    readonly perMinute: number,
  ) {
    super(`Too many requests: the limit is ${perMinute} a minute; retry after ${retryAfterSeconds} s`);
    this.name = 'RateLimitedError';
  }
}
