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

  it('reads times of a second it has seen as exactly as the first', () => {
    const first = parseObservedAt('2026-11-29T05:54:27.000001Z')!;
    expect(parseObservedAt('2026-11-29T05:54:27.999999Z')).toBe(first + 999_998);
    expect(parseObservedAt('2026-11-29T05:54:28.000001Z')).toBe(first + 1_000_000);
    expect(parseObservedAt('2026-11-29T05:54:27.00000xZ')).toBeUndefined();
    expect(parseObservedAt('2026-11-29T05:54:27.000001z')).toBe(first);
    expect(parseObservedAt('2026-11-29T05:54:27.000001+01:00')).toBe(first - 3_600_000_000);
    expect(parseObservedAt('2026-11-29T05:54:27.0000012Z')).toBe(first);
  });

  it('formats every microsecond as the Date of its millisecond would', () => {
    for (const micros of [
      0, 1, 999_999, 1_000_000, -1, -1_000_001, 1_764_395_667_123_456, 1_764_395_668_000_000,
    ]) {
      const ms = Math.floor(micros / 1000);
      const iso = new Date(ms).toISOString();
      expect(formatObservedAt(micros)).toBe(
        `${iso.slice(0, -1)}${String(micros - ms * 1000).padStart(3, '0')}Z`,
      );
    }
  });

  it('finds the UTC day', () => {
    const m = parseObservedAt('2026-11-29T23:59:59.999999Z')!;
    expect(dayStartOf(m)).toBe(Date.UTC(2026, 10, 29) * 1000);
  });
});
