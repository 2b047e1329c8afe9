import { describe, expect, it } from 'vitest';
import { TokenBuckets } from './token-bucket.js';

describe('TokenBuckets', () => {
  it('allows a burst of the limit, then refuses with the wait until the next token', () => {
    const b = new TokenBuckets();
    for (let i = 0; i < 3; i++) expect(b.take('a', 3, 0)).toEqual({ allowed: true });
    // 3 a minute: one token every 20 s.
    expect(b.take('a', 3, 0)).toEqual({ allowed: false, retryAfterSeconds: 20 });
    expect(b.take('a', 3, 15_000)).toEqual({ allowed: false, retryAfterSeconds: 5 });
    expect(b.take('a', 3, 20_000)).toEqual({ allowed: true });
  });

  it('keeps callers apart', () => {
    const b = new TokenBuckets();
    expect(b.take('a', 1, 0).allowed).toBe(true);
    expect(b.take('a', 1, 0).allowed).toBe(false);
    expect(b.take('b', 1, 0).allowed).toBe(true);
  });

  it('never answers a retry below one second and never overfills after a long idle', () => {
    const b = new TokenBuckets();
    expect(b.take('a', 6000, 0).allowed).toBe(true);
    for (let i = 0; i < 5999; i++) b.take('a', 6000, 0);
    const refused = b.take('a', 6000, 0);
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 1 });
    // A day later the bucket holds the burst again, not a day's worth of tokens.
    let allowed = 0;
    for (let i = 0; i < 7000; i++) if (b.take('a', 6000, 86_400_000).allowed) allowed++;
    expect(allowed).toBe(6000);
  });

  it('a clock that goes backwards does not mint tokens', () => {
    const b = new TokenBuckets();
    expect(b.take('a', 1, 60_000).allowed).toBe(true);
    expect(b.take('a', 1, 0).allowed).toBe(false);
  });

  it('forgets idle full buckets once many keys exist, and keeps the ones in use', () => {
    const b = new TokenBuckets();
    for (let i = 0; i < 10_000; i++) b.take(`k${i}`, 1, 0);
    // The sweep at 10 000 keys finds every bucket still short of a token: nothing goes.
    for (let i = 0; i < 50; i++) b.take('busy', 100, 59_000);
    expect(b.size).toBe(10_001);
    b.take('late', 1, 60_000);
    // The 10 000 have refilled and go; busy is still 48 tokens short and stays.
    expect(b.size).toBe(2);
    expect(b.take('busy', 100, 60_000).allowed).toBe(true);
  });
});
