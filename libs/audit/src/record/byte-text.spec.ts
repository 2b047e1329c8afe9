import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteInterner, asciiText } from './byte-text.js';

describe('ByteInterner', () => {
  it('gives the text of the bytes, through clashes, long values and a full pool', () => {
    // Four slots and a pool of 256 bytes: clashes and pool resets all the time.
    const interner = new ByteInterner(4, 40);
    const value = fc.string({ unit: fc.constantFrom('a', 'b', '/', '0', ' '), maxLength: 60 });
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 50 }), (values) => {
        for (const v of values) {
          const bytes = Buffer.from(`x${v}y`, 'latin1');
          expect(interner.text(bytes, 1, bytes.length - 1)).toBe(v);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('returns the same string for the same bytes', () => {
    const interner = new ByteInterner(64);
    const a = Buffer.from('exe="/usr/bin/curl"');
    const b = Buffer.from('  "/usr/bin/curl" ');
    expect(interner.text(a, 5, 18)).toBe('/usr/bin/curl');
    expect(Object.is(interner.text(a, 5, 18), interner.text(b, 3, 16))).toBe(true);
    expect(asciiText(a, 0, 3)).toBe('exe');
  });
});
