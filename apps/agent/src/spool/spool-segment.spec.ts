import { describe, expect, it } from 'vitest';
import {
  completeLength,
  countLines,
  parseSegmentFileName,
  segmentFileName,
  splitSegmentLines,
} from './spool-segment.js';

describe('spool segments', () => {
  it('names segments so they sort oldest first and parses only its own names', () => {
    expect(segmentFileName(42)).toBe('0000000000000042.ndjson');
    expect(parseSegmentFileName(segmentFileName(42))).toBe(42);
    for (const garbage of ['ack.json', '42.ndjson', '0000000000000042.ndjson.tmp', '../x', '']) {
      expect(parseSegmentFileName(garbage)).toBeUndefined();
    }
  });

  it('finds the torn tail a crash leaves', () => {
    expect(completeLength(Buffer.from('{"a":1}\n{"b":'))).toBe(8);
    expect(completeLength(Buffer.from('{"a":1}\n'))).toBe(8);
    expect(completeLength(Buffer.from('no newline at all'))).toBe(0);
    expect(completeLength(Buffer.alloc(0))).toBe(0);
  });

  it('splits complete lines up to a limit and never returns a partial one', () => {
    const chunk = Buffer.from('a\nbb\nccc\ndd');
    expect(splitSegmentLines(chunk, 10)).toEqual({ lines: ['a', 'bb', 'ccc'], consumed: 9 });
    expect(splitSegmentLines(chunk, 2)).toEqual({ lines: ['a', 'bb'], consumed: 5 });
    expect(splitSegmentLines(Buffer.from('\u0000\u00ff garbage'), 5)).toEqual({ lines: [], consumed: 0 });
    expect(countLines(chunk)).toBe(3);
  });
});
