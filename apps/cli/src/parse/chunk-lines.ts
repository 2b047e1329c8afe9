import { isAscii } from 'node:buffer';
import { forEachWindowLine } from '@sandtrap/audit';

/** Lines longer than this many UTF-16 units are reported, not parsed (as readLines does). */
export const MAX_LINE_CHARS = 1024 * 1024;

/**
 * Calls `each` for every line of a chunk cut at line starts, as bytes[start, end), the way
 * readLines splits the same bytes: one trailing CR dropped from lines that end in a newline,
 * the last piece of the input kept without its newline. `overlong` lists the lines (0-based, in
 * this chunk) the reader cut short; they and lines past MAX_LINE_CHARS once decoded come with
 * truncated = true. The lines are given in the audit byte reader's window (forEachWindowLine),
 * where it reads them fastest: `bytes` is valid during the call only.
 */
export function forEachLineBytes(
  bytes: Uint8Array,
  overlong: readonly number[],
  each: (bytes: Buffer, start: number, end: number, truncated: boolean, index: number) => void,
): number {
  // Past MAX_LINE_CHARS bytes, an ASCII line is too long; any other is decoded to tell.
  let ascii: boolean | undefined;
  let index = 0;
  let next = overlong.length > 0 ? overlong[0] : -1;
  let o = 0;
  return forEachWindowLine(bytes, 0, bytes.length, (line, start, end, terminated) => {
    const stop = terminated && end > start && line[end - 1] === 13 ? end - 1 : end;
    let cut = false;
    if (index === next) {
      cut = true;
      next = ++o < overlong.length ? overlong[o] : -1;
    }
    if (!cut && stop - start > MAX_LINE_CHARS) {
      ascii ??= isAscii(bytes);
      cut = ascii || line.toString('utf8', start, stop).length > MAX_LINE_CHARS;
    }
    each(line, start, cut ? start : stop, cut, index);
    index++;
  });
}

/** forEachLineBytes with each line decoded as UTF-8 ('' when truncated). */
export function forEachLine(
  bytes: Uint8Array,
  overlong: readonly number[],
  each: (text: string, truncated: boolean, index: number) => void,
): number {
  return forEachLineBytes(bytes, overlong, (view, start, end, truncated, index) =>
    each(truncated ? '' : view.toString('utf8', start, end), truncated, index),
  );
}
