import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter, retryDelay, RETRY_AFTER_CAP_MS } from './backoff.js';

describe('backoff', () => {
  it('doubles per attempt within jitter bounds and stops at the cap', () => {
    const low = (attempt: number) => backoffDelay(attempt, { baseMs: 100, maxMs: 5_000, random: () => 0 });
    const high = (attempt: number) => backoffDelay(attempt, { baseMs: 100, maxMs: 5_000, random: () => 1 });
    expect([low(0), high(0)]).toEqual([50, 100]);
    expect([low(3), high(3)]).toEqual([400, 800]);
    expect([low(20), high(20)]).toEqual([2_500, 5_000]);
    expect(high(10_000)).toBe(5_000);
    expect(high(-3)).toBe(100);
  });
  it('reads Retry-After seconds and dates, caps it, and ignores garbage', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('99999999', now)).toBe(RETRY_AFTER_CAP_MS);
    for (const garbage of [null, undefined, '', '-5', '1.5', 'soon', '\u0000']) {
      expect(parseRetryAfter(garbage, now)).toBeUndefined();
    }
  });
  it('prefers the server’s Retry-After over its own backoff', () => {
    expect(retryDelay(5, 1_234, { random: () => 0 })).toBe(1_234);
    expect(retryDelay(0, undefined, { baseMs: 100, random: () => 1 })).toBe(100);
  });
});
