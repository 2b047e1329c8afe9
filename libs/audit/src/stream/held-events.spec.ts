import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../record/audit-record.js';
import { HeldEvents } from './held-events.js';

describe('HeldEvents', () => {
  it('finds, removes and orders events as a list in insertion order does', () => {
    // Serials that share their low bits (4096 and 2^20 apart), past 2^31 and 2^32, and small ones.
    const serial = fc.oneof(
      fc.integer({ min: 0, max: 40 }),
      fc.constantFrom(4096, 8192, 2 ** 20, 2 ** 20 + 1, 2 ** 31, 2 ** 32, 2 ** 32 + 1, 2 ** 53 - 1),
    );
    const op = fc.oneof(
      fc.tuple(fc.constant('add' as const), serial),
      fc.tuple(fc.constant('add' as const), serial),
      fc.tuple(fc.constant('find' as const), serial),
      fc.tuple(fc.constant('remove' as const), serial),
      fc.tuple(fc.constant('oldest' as const), serial),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 2000 }), fc.integer({ min: 1, max: 300 }), (ops, maxHeld) => {
        const held = new HeldEvents(maxHeld);
        // The model: held events oldest first, each with the line it was added on.
        const model: { serial: number; line: number }[] = [];
        const newest = (s: number) => model.findLastIndex((e) => e.serial === s);
        ops.forEach(([name, s], line) => {
          if (name === 'add') {
            held.add({ serial: s } as AuditRecord, `raw ${line}`, line, line + 0.5, undefined);
            model.push({ serial: s, line });
          } else if (name === 'find') {
            const at = held.find(s);
            const m = newest(s);
            expect(at < 0 ? undefined : held.line(at)).toBe(m < 0 ? undefined : model[m].line);
          } else if (name === 'remove') {
            const at = held.find(s);
            if (at >= 0) {
              expect(held.raw(at)).toBe(`raw ${held.line(at)}`);
              held.remove(at);
              model.splice(newest(s), 1);
            }
          } else {
            const at = held.oldest();
            expect(at < 0 ? undefined : held.record(at).serial).toBe(model[0]?.serial);
            if (at >= 0 && line % 2 === 0) {
              expect(held.deadline(at)).toBe(model[0].line + 0.5);
              held.remove(at);
              model.shift();
            }
          }
          expect(held.size).toBe(model.length);
        });
        expect([...held.positions()].map((at) => held.line(at))).toEqual(model.map((e) => e.line));
      }),
      { numRuns: 300 },
    );
  });
});
