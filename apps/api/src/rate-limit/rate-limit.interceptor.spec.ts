import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { AuthToken } from '../auth/auth-token.js';
import { loadConfig } from '../config/app-config.js';
import { RateLimitedError } from './rate-limit.errors.js';
import { RateLimitInterceptor } from './rate-limit.interceptor.js';

function contextOf(request: { ip: string; authToken?: AuthToken }): ExecutionContext {
  return { switchToHttp: () => ({ getRequest: () => request }) } as unknown as ExecutionContext;
}

const next: CallHandler = { handle: () => of('ok') };

function limiter(env: Record<string, string>) {
  return new RateLimitInterceptor(loadConfig(env));
}

/** Answers how many of `n` calls went through before the first refusal. */
function passes(
  interceptor: RateLimitInterceptor,
  request: { ip: string; authToken?: AuthToken },
  n: number,
) {
  for (let i = 0; i < n; i++) {
    try {
      interceptor.intercept(contextOf(request), next);
    } catch (error) {
      expect(error).toBeInstanceOf(RateLimitedError);
      return i;
    }
  }
  return n;
}

const viewer: AuthToken = { id: 't-viewer', name: 'v', role: 'viewer' };
const agent: AuthToken = { id: 't-agent', name: 'a', role: 'agent', hostId: 'h' };

describe('RateLimitInterceptor', () => {
  it('keys by token, not by address, and gives shipper roles their own limit', () => {
    const i = limiter({ SANDTRAP_RATE_LIMIT_PER_MINUTE: '3', SANDTRAP_INGEST_RATE_LIMIT_PER_MINUTE: '5' });
    expect(passes(i, { ip: '10.0.0.1', authToken: viewer }, 10)).toBe(3);
    // Same token from another address: still the same bucket.
    expect(passes(i, { ip: '10.0.0.2', authToken: viewer }, 10)).toBe(0);
    expect(passes(i, { ip: '10.0.0.1', authToken: agent }, 10)).toBe(5);
    // Anonymous callers share their address's bucket, apart from the tokens.
    expect(passes(i, { ip: '10.0.0.1' }, 10)).toBe(3);
    expect(passes(i, { ip: '10.0.0.9' }, 10)).toBe(3);
  });

  it('0 turns a limit off', () => {
    const i = limiter({ SANDTRAP_RATE_LIMIT_PER_MINUTE: '0', SANDTRAP_INGEST_RATE_LIMIT_PER_MINUTE: '1' });
    expect(passes(i, { ip: '10.0.0.1', authToken: viewer }, 500)).toBe(500);
    expect(passes(i, { ip: '10.0.0.1', authToken: agent }, 5)).toBe(1);
  });

  it('refuses garbage limits at boot, naming the variable', () => {
    for (const bad of ['-1', 'lots', '1.5']) {
      expect(() => loadConfig({ SANDTRAP_RATE_LIMIT_PER_MINUTE: bad })).toThrow(
        /SANDTRAP_RATE_LIMIT_PER_MINUTE/,
      );
      expect(() => loadConfig({ SANDTRAP_INGEST_RATE_LIMIT_PER_MINUTE: bad })).toThrow(
        /SANDTRAP_INGEST_RATE_LIMIT_PER_MINUTE/,
      );
    }
    expect(loadConfig({})).toMatchObject({ rateLimitPerMinute: 6000, ingestRateLimitPerMinute: 60000 });
  });

  it('the 429 error carries the code and a whole-second Retry-After', () => {
    const i = limiter({ SANDTRAP_RATE_LIMIT_PER_MINUTE: '1' });
    passes(i, { ip: '1.1.1.1', authToken: viewer }, 1);
    try {
      i.intercept(contextOf({ ip: '1.1.1.1', authToken: viewer }), next);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 60, perMinute: 1 });
    }
  });
});
