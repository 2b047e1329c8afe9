import { createHash, timingSafeEqual } from 'node:crypto';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/**
 * Whether an Authorization header carries the metrics token. Compared in constant time on
 * digests, so neither the token's content nor its length leaks through timing.
 */
export function carriesMetricsToken(header: string | undefined, token: string): boolean {
  const match = typeof header === 'string' ? BEARER.exec(header) : null;
  if (!match) return false;
  return timingSafeEqual(digest(match[1]!), digest(token));
}
