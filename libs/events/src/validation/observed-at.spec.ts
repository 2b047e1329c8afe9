import { describe, expect, it } from 'vitest';
import { fromEpochNanos, fromSecondsAndNanos, parseIsoTimestamp } from './observed-at.js';

describe('parseIsoTimestamp', () => {
  it('normalises offsets to UTC and keeps microseconds, truncating nanoseconds', () => {
    expect(parseIsoTimestamp('2026-03-02T04:30:00.123456789-05:00')?.iso).toBe('2026-03-02T09:30:00.123456Z');
    expect(parseIsoTimestamp('2026-03-02T09:15:16+02:00')?.iso).toBe('2026-03-02T07:15:16.000000Z');
    expect(parseIsoTimestamp('2026-07-10T19:10:27.171732939+0000')?.iso).toBe('2026-07-10T19:10:27.171732Z');
    expect(parseIsoTimestamp('2026-01-01T00:30:00.5+01:00')?.iso).toBe('2025-12-31T23:30:00.500000Z');
    expect(parseIsoTimestamp('2026-03-02T09:15:16,123456Z')?.iso).toBe('2026-03-02T09:15:16.123456Z');
    expect(parseIsoTimestamp('2026-03-02 09:15:16.123456z')?.iso).toBe('2026-03-02T09:15:16.123456Z');
    expect(parseIsoTimestamp('2026-03-02T09:15:16.123456Z')?.iso).toBe('2026-03-02T09:15:16.123456Z');
    expect(parseIsoTimestamp('2026-03-02T09:15:16.1Z')?.epochMs).toBe(Date.UTC(2026, 2, 2, 9, 15, 16, 100));
  });

  it('reads canonical times of a second it has seen as the full parse does', () => {
    const first = parseIsoTimestamp('2026-03-02T09:15:16.123456Z')!;
    expect(first.epochMs).toBe(Date.UTC(2026, 2, 2, 9, 15, 16, 123));
    expect(parseIsoTimestamp('2026-03-02T09:15:16.999999Z')).toEqual({
      iso: '2026-03-02T09:15:16.999999Z',
      epochMs: Date.UTC(2026, 2, 2, 9, 15, 16, 999),
    });
    expect(parseIsoTimestamp('2026-03-02T09:15:16.000001Z')?.epochMs).toBe(Date.UTC(2026, 2, 2, 9, 15, 16));
    expect(parseIsoTimestamp('2026-03-02T09:15:16.12345xZ')).toBeUndefined();
    expect(parseIsoTimestamp('2026-03-02T09:15:16.123456z')?.iso).toBe('2026-03-02T09:15:16.123456Z');
    expect(parseIsoTimestamp('2026-03-02T09:15:16.123456+01:00')?.iso).toBe('2026-03-02T08:15:16.123456Z');
    expect(parseIsoTimestamp('2026-03-02T09:15:17.000000Z')?.epochMs).toBe(Date.UTC(2026, 2, 2, 9, 15, 17));
  });

  it('accepts 29 February only in leap years', () => {
    expect(parseIsoTimestamp('2024-02-29T00:00:00Z')?.iso).toBe('2024-02-29T00:00:00.000000Z');
    expect(parseIsoTimestamp('2026-02-29T00:00:00Z')).toBeUndefined();
    expect(parseIsoTimestamp('1900-02-29T00:00:00Z')).toBeUndefined();
  });

  it.each([
    '2026-03-02T09:15:16',
    '2026-03-02',
    '2026-13-02T09:15:16Z',
    '2026-03-32T09:15:16Z',
    '2026-03-02T24:00:00Z',
    '2026-03-02T09:60:00Z',
    '2026-03-02T09:15:16.Z',
    '2026-03-02T09:15:16.1234567891Z',
    '2026-03-02T09:15:16+25:00',
    ' 2026-03-02T09:15:16Z',
    'yesterday',
    '',
    '0000-01-01T00:00:00+01:00',
    '0000-01-01T00:00:00.000000Z',
    `2026-03-02T09:15:16Z${' '.repeat(100)}`,
  ])('refuses %j', (text) => {
    expect(parseIsoTimestamp(text)).toBeUndefined();
  });
});

describe('fromEpochNanos', () => {
  it('truncates to microseconds', () => {
    expect(fromEpochNanos(1772443800123456789n)?.iso).toBe('2026-03-02T09:30:00.123456Z');
    expect(fromEpochNanos(999n)?.iso).toBe('1970-01-01T00:00:00.000000Z');
  });

  it('refuses negative and far-future values', () => {
    expect(fromEpochNanos(-1n)).toBeUndefined();
    expect(fromEpochNanos(10n ** 20n * 3n)).toBeUndefined();
  });

  it('reads protobuf seconds and nanos', () => {
    expect(fromSecondsAndNanos(1772443302n, 987654321)?.iso).toBe('2026-03-02T09:21:42.987654Z');
    expect(fromSecondsAndNanos(1n, 1_000_000_000)).toBeUndefined();
    expect(fromSecondsAndNanos(1n, 0.5)).toBeUndefined();
  });
});
