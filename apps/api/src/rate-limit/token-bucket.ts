/** What one `take` answers: allowed, or how long until one request would be. */
export type TakeResult = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
  perMinute: number;
}

const MINUTE_MS = 60_000;
/** Past this many keys, buckets that have refilled completely are forgotten (they equal a fresh one). */
const SWEEP_AT = 10_000;

/**
 * Token buckets keyed by caller: each holds up to `perMinute` requests (the burst) and refills at
 * `perMinute` a minute. In-process: every API replica limits on its own, so N replicas allow N times
 * the configured rate in total.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  /** Takes one request for `key` at `now` (epoch ms) under a limit of `perMinute`. */
  take(key: string, perMinute: number, now: number): TakeResult {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= SWEEP_AT) this.sweep(now);
      bucket = { tokens: perMinute, updatedAt: now, perMinute };
      this.buckets.set(key, bucket);
    } else {
      this.refill(bucket, now);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    const msPerToken = MINUTE_MS / perMinute;
    // At least one second: Retry-After is in whole seconds and 0 would invite a busy retry loop.
    const retryAfterSeconds = Math.max(1, Math.ceil(((1 - bucket.tokens) * msPerToken) / 1000));
    return { allowed: false, retryAfterSeconds };
  }

  get size(): number {
    return this.buckets.size;
  }

  private refill(bucket: Bucket, now: number): void {
    const elapsed = Math.max(0, now - bucket.updatedAt);
    bucket.tokens = Math.min(bucket.perMinute, bucket.tokens + (elapsed * bucket.perMinute) / MINUTE_MS);
    bucket.updatedAt = now;
  }

  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      this.refill(bucket, now);
      if (bucket.tokens >= bucket.perMinute) this.buckets.delete(key);
    }
  }
}
