import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { untrustedString, untrustedStringAt } from './audit-value.js';

/** The plain definition: decode the hex, drop trailing NULs, inner NULs become spaces. */
function reference(raw: string, quoted: boolean): string | undefined {
  if (quoted) return raw;
  if (raw === '?' || raw === '(null)') return undefined;
  if (raw.length > 0 && raw.length % 2 === 0 && /^[0-9A-F]*$/.test(raw))
    return Buffer.from(raw, 'hex').toString('utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
  return raw;
}

describe('untrustedString', () => {
  it('decodes the kernel hex form like Buffer does, for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.boolean(), (bytes, pad) => {
        const hex = Buffer.from(bytes).toString('hex').toUpperCase() + (pad ? '0000' : '');
        expect(untrustedString(hex, false)).toBe(reference(hex, false));
        // The same value inside a longer line.
        expect(untrustedStringAt(`x=${hex} y`, 2, 2 + hex.length, false)).toBe(reference(hex, false));
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps anything that is not upper-case hex as it is', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.boolean(), (raw, quoted) => {
        expect(untrustedString(raw, quoted)).toBe(reference(raw, quoted));
      }),
      { numRuns: 3000 },
    );
    for (const raw of ['?', '(null)', '', '4', '4a', '41G1', 'C3A9', 'FF00', '0000', '2F612062'])
      expect(untrustedString(raw, false), raw).toBe(reference(raw, false));
    expect(untrustedString('(null)', true)).toBe('(null)');
    expect(untrustedString('41'.repeat(5000), false)).toBe('A'.repeat(5000));
  });
});
