import { describe, expect, it } from 'vitest';
import { canonicalJson, stableEventKey } from './stable-event-key.js';

describe('stableEventKey', () => {
  it('is the prefix and the SHA-1 of the canonical JSON', () => {
    // sha1('{"a":1}') computed independently: echo -n '{"a":1}' | sha1sum
    expect(stableEventKey('falco', { a: 1 })).toBe('falco:9f89c740ceb46d7418c924a78ac57941d5e96520');
  });

  it('does not depend on key order at any depth', () => {
    const a = { b: [1, { y: 2, x: 1 }], a: 'v' };
    const b = { a: 'v', b: [1, { x: 1, y: 2 }] };
    expect(stableEventKey('tracee', a)).toBe(stableEventKey('tracee', b));
    expect(canonicalJson(a)).toBe('{"a":"v","b":[1,{"x":1,"y":2}]}');
  });

  it('differs when a value or the order of an array differs', () => {
    expect(stableEventKey('t', { a: [1, 2] })).not.toBe(stableEventKey('t', { a: [2, 1] }));
    expect(stableEventKey('t', { a: 1 })).not.toBe(stableEventKey('t', { a: '1' }));
    expect(stableEventKey('t', { a: 1 })).not.toBe(stableEventKey('u', { a: 1 }));
  });

  it('refuses documents nested deeper than 256 levels with a clear error', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 300; i += 1) deep = [deep];
    expect(() => stableEventKey('t', deep)).toThrow(/nested deeper than 256/);
  });
});
