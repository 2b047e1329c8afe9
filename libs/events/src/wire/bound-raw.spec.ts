import { describe, expect, it } from 'vitest';
import { RAW_MAX_BYTES } from '../security-event.js';
import { boundRaw } from './bound-raw.js';

describe('boundRaw', () => {
  it('keeps short text as it is', () => {
    expect(boundRaw('type=SECCOMP')).toBe('type=SECCOMP');
  });

  it('cuts to the byte bound', () => {
    const cut = boundRaw('a'.repeat(RAW_MAX_BYTES * 2));
    expect(Buffer.byteLength(cut)).toBe(RAW_MAX_BYTES);
  });

  it('never splits a multi-byte character', () => {
    const cut = boundRaw(`a${'€'.repeat(RAW_MAX_BYTES)}`, 8);
    expect(cut).toBe('a€€');
    expect(cut.includes('\uFFFD')).toBe(false);
    expect(boundRaw('😀😀😀', 7)).toBe('😀');
  });
});
