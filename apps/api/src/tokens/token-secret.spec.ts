import { describe, expect, it } from 'vitest';
import { hashSecret, issueToken, parseToken, sameHash } from './token-secret.js';

describe('token secrets', () => {
  it('issues tokens whose id and secret parse back, with only the hash kept', () => {
    const issued = issueToken();
    const parsed = parseToken(issued.token);
    expect(parsed?.id).toBe(issued.id);
    expect(sameHash(hashSecret(parsed!.secret), issued.secretHash)).toBe(true);
    expect(issued.token).not.toContain(issued.secretHash.toString('hex'));
  });

  it('issues a different secret every time', () => {
    const tokens = new Set(Array.from({ length: 50 }, () => issueToken().token));
    expect(tokens.size).toBe(50);
  });

  it.each([
    '',
    'st_',
    'garbage',
    'st_zzzz_abc',
    `st_${'a'.repeat(31)}_${'b'.repeat(43)}`,
    `st_${'a'.repeat(32)}_${'b'.repeat(42)}`,
    `st_${'a'.repeat(32)}_${'b'.repeat(43)} `,
    `st_${'A'.repeat(32)}_${'b'.repeat(43)}`,
    `xx_${'a'.repeat(32)}_${'b'.repeat(43)}`,
  ])('refuses %j', (token) => {
    expect(parseToken(token)).toBeUndefined();
  });

  it('tells different digests apart, including different lengths', () => {
    expect(sameHash(hashSecret('a'), hashSecret('b'))).toBe(false);
    expect(sameHash(hashSecret('a'), Buffer.alloc(3))).toBe(false);
  });
});
