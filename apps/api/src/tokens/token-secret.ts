import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * A token reads `st_<id as 32 hex>_<secret>`: the id finds the row, the 256-bit secret proves
 * possession. Only sha256(secret) is stored; a database dump grants nothing.
 */
const TOKEN_FORMAT = /^st_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

export interface IssuedToken {
  id: string;
  token: string;
  secretHash: Buffer;
}

export function issueToken(): IssuedToken {
  const id = randomUUID();
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `st_${id.replaceAll('-', '')}_${secret}`, secretHash: hashSecret(secret) };
}

export function parseToken(token: string): { id: string; secret: string } | undefined {
  const m = TOKEN_FORMAT.exec(token);
  if (!m) return undefined;
  const h = m[1];
  const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  return { id, secret: m[2] };
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Constant-time comparison of two sha256 digests. */
export function sameHash(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
