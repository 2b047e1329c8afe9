import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanJournalFields, type JournalFields } from './journald-fields.js';

const NAMES: (keyof JournalFields)[] = [
  '_TRANSPORT',
  '_HOSTNAME',
  '_BOOT_ID',
  'MESSAGE',
  '_AUDIT_TYPE',
  '_AUDIT_ID',
  '_SOURCE_REALTIME_TIMESTAMP',
  '__REALTIME_TIMESTAMP',
];

/** What JSON.parse makes of the same line, for the fields the scanner keeps. */
function viaJsonParse(line: string): Record<string, unknown> {
  const entry = JSON.parse(line) as Record<string, unknown>;
  return Object.fromEntries(NAMES.map((name) => [name, entry[name]]));
}

const key = fc.oneof(fc.constantFrom(...NAMES), fc.string({ unit: 'binary', maxLength: 8 }));
const value = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('a"b', 'back\\slash', '\\"', '\u2028', '\ud800', 'é😀', '\u0000', '\n'),
);
const entries = fc.array(fc.tuple(key, value), { maxLength: 10 });

describe('scanJournalFields', () => {
  it('reads what JSON.parse reads from journald-style lines, escapes and duplicate keys included', () => {
    fc.assert(
      fc.property(entries, (pairs) => {
        // Built by hand so that duplicate keys reach the line.
        const line = `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;
        const fields = scanJournalFields(line);
        // The only lines left to JSON.parse are those with a key that needs escaping.
        if (fields === undefined) expect(pairs.some(([k]) => JSON.stringify(k).includes('\\'))).toBe(true);
        else expect({ ...fields }).toEqual(viaJsonParse(line));
      }),
      { numRuns: 3000 },
    );
  });

  it('never accepts a line JSON.parse refuses, and agrees with it on mutated lines', () => {
    const base = JSON.stringify({ _TRANSPORT: 'audit', _AUDIT_ID: '7', MESSAGE: 'SECCOMP comm="a\\b"' });
    const mutated = fc
      .tuple(fc.nat(base.length), fc.nat(4), fc.string({ unit: 'binary', maxLength: 3 }))
      .map(([at, del, ins]) => base.slice(0, at) + ins + base.slice(at + del));
    fc.assert(
      fc.property(mutated, (line) => {
        const fields = scanJournalFields(line);
        if (fields !== undefined) expect({ ...fields }).toEqual(viaJsonParse(line));
      }),
      { numRuns: 5000 },
    );
  });

  it('leaves non-string values, spaces and trailing text to JSON.parse', () => {
    for (const line of [
      '{"_TRANSPORT":"audit","MESSAGE":[83,69]}',
      '{"_AUDIT_TYPE":1326}',
      '{"_TRANSPORT": "audit"}',
      '{"_TRANSPORT":"audit"} ',
      '{"_TRANSPORT":"audit"}x',
      '{"_TRANSPORT":"a\tb"}',
      '{"_TRANSPORT":"a\\x"}',
      '{"_TRANSPORT":"audit"',
      '{"_TRANSPORT":"audit",}',
      '[]',
    ])
      expect(scanJournalFields(line), line).toBeUndefined();
    expect(scanJournalFields('{}')).toMatchObject({ _TRANSPORT: undefined });
  });
});
