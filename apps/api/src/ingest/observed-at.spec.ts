import { describe, expect, it } from 'vitest';
import { dayStartOf, formatObservedAt, parseObservedAt } from './observed-at.js';

describe('parseObservedAt', () => {
  it('keeps microseconds exactly', () => {
    const m = parseObservedAt('2026-11-29T05:54:27.123456Z');
    expect(m).toBe(Date.UTC(2026, 10, 29, 5, 54, 27) * 1000 + 123456);
    expect(formatObservedAt(m!)).toBe('2026-11-29T05:54:27.123456Z');
  });

  it('cuts nanoseconds and applies offsets', () => {
    expect(parseObservedAt('2026-11-29T07:54:27.123456789+02:00')).toBe(
      parseObservedAt('2026-11-29T05:54:27.123456Z'),
    );
    expect(parseObservedAt('2026-11-29T05:54:27Z')).toBe(Date.UTC(2026, 10, 29, 5, 54, 27) * 1000);
  });

  it('refuses garbage and impossible dates', () => {
    for (const bad of [
      '',
      'yesterday',
      '2026-11-29',
      '2026-02-31T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-11-29T25:00:00Z',
      '2026-11-29T05:54:27.123Z; DROP TABLE violations',
      '2026-11-29T05:54:27',
    ]) {
      expect(parseObservedAt(bad), bad).toBeUndefined();
    }
  });

  it('finds the UTC day', () => {
    const m = parseObservedAt('2026-11-29T23:59:59.999999Z')!;
    expect(dayStartOf(m)).toBe(Date.UTC(2026, 10, 29) * 1000);
  });
});
