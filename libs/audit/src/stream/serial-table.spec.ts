import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SerialTable } from './serial-table.js';

describe('SerialTable', () => {
  it('answers as a Map under any sequence of set, get, delete and clear', () => {
    const key = fc.oneof(
      fc.integer({ min: 0, max: 600 }),
      fc.constantFrom(0, 2 ** 31, 2 ** 32, 2 ** 32 + 1, 2 ** 53 - 1, 999_999_999_999_999),
    );
    const op = fc.oneof(
      fc.tuple(fc.constant('set' as const), key),
      fc.tuple(fc.constant('get' as const), key),
      fc.tuple(fc.constant('delete' as const), key),
      fc.tuple(fc.constant('clear' as const), key),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 3000 }), fc.integer({ min: 1, max: 300 }), (ops, expected) => {
        const table = new SerialTable<number>(expected);
        const map = new Map<number, number>();
        ops.forEach(([name, k], n) => {
          if (name === 'set') {
            table.set(k, n);
            map.set(k, n);
          } else if (name === 'get') expect(table.get(k)).toBe(map.get(k));
          else if (name === 'delete') expect(table.delete(k)).toBe(map.delete(k));
          else if (n % 50 === 0) {
            table.clear();
            map.clear();
          }
          expect(table.size).toBe(map.size);
        });
        for (const [k, v] of map) expect(table.get(k)).toBe(v);
      }),
      { numRuns: 300 },
    );
  });
});
