import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVENT_ACTIONS, EVENT_KINDS, EVENT_SOURCES } from '../security-event.js';
import { serializeSecurityEvent } from '../wire/serialize-security-event.js';
import { validateSecurityEvent } from './validate-security-event.js';

const now = () => Date.UTC(2026, 2, 2);

describe('validateSecurityEvent on arbitrary input', () => {
  it('never throws, and every error carries a pointer and a message', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = validateSecurityEvent(value, { now });
        if (!result.ok) {
          expect(result.errors.length).toBeGreaterThan(0);
          for (const error of result.errors)
            expect(error.pointer === '' || error.pointer.startsWith('/')).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('accepts what it produced: validate, serialise, validate again gives the same text', () => {
    const event = fc.record(
      {
        eventKey: fc.string({ minLength: 1, maxLength: 256 }),
        observedAt: fc
          .date({ min: new Date(Date.UTC(2000, 0, 1)), max: new Date(now()), noInvalidDate: true })
          .map((d) => d.toISOString()),
        host: fc.string({ minLength: 1, maxLength: 253 }),
        source: fc.constantFrom(...EVENT_SOURCES),
        kind: fc.constantFrom(...EVENT_KINDS),
        action: fc.constantFrom(...EVENT_ACTIONS),
        process: fc.record({ pid: fc.nat(), comm: fc.string() }, { requiredKeys: [] }),
        details: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })),
        extra: fc.jsonValue(),
      },
      { requiredKeys: ['eventKey', 'observedAt', 'host', 'source', 'kind', 'action'] },
    );
    fc.assert(
      fc.property(event, (input) => {
        const first = validateSecurityEvent(input, { now });
        // Arbitrary strings may hold NUL; those are refused, everything else must pass.
        if (!first.ok) {
          expect(first.errors.every((e) => e.message.includes('NUL'))).toBe(true);
          return;
        }
        const wire = serializeSecurityEvent(first.event);
        const second = validateSecurityEvent(JSON.parse(wire), { now });
        expect(second.ok).toBe(true);
        if (second.ok) expect(serializeSecurityEvent(second.event)).toBe(wire);
      }),
      { numRuns: 300 },
    );
  });
});
