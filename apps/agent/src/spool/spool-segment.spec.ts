import { describe, expect, it } from 'vitest';
import {
  completeLength,
  countLines,
  parseSegmentFileName,
  scanSegmentLines,
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

  it('counts complete lines and their bytes as splitting would, without decoding', () => {
    const chunk = Buffer.from('{"a":"é"}\n{"b":2}\n{"c":3}\n{"torn":');
    for (const max of [0, 1, 2, 3, 10]) {
      const split = splitSegmentLines(chunk, max);
      expect(scanSegmentLines(chunk, max)).toEqual({ count: split.lines.length, consumed: split.consumed });
    }
    expect(scanSegmentLines(chunk, 10)).toEqual({ count: 3, consumed: chunk.indexOf('{"torn"') });
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
