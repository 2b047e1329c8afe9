import { isAscii } from 'node:buffer';

/** Lines longer than this many UTF-16 units are reported, not parsed (as readLines does). */
export const MAX_LINE_CHARS = 1024 * 1024;

/**
 * Calls `each` for every line of a chunk cut at line starts, the way readLines splits the same
 * bytes: decoded as UTF-8, one trailing CR dropped from lines that end in a newline, the last
 * piece of the input kept without its newline. `overlong` lists the lines (0-based, in this
 * chunk) the reader cut short; they and lines past MAX_LINE_CHARS come with truncated = true.
 */
export function forEachLine(
  bytes: Uint8Array,
  overlong: readonly number[],
  each: (text: string, truncated: boolean, index: number) => void,
): number {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // ASCII decodes the same either way; latin1 copies it without the UTF-8 decoder's work.
  const text = isAscii(view) ? view.toString('latin1') : view.toString('utf8');
  let index = 0;
  let next = overlong.length > 0 ? overlong[0] : -1;
  let o = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    const terminated = end >= 0;
    if (!terminated) end = text.length;
    const stop = terminated && text.charCodeAt(end - 1) === 13 && end > start ? end - 1 : end;
    let cut = false;
    if (index === next) {
      cut = true;
      next = ++o < overlong.length ? overlong[o] : -1;
    }
    if (cut || stop - start > MAX_LINE_CHARS) each('', true, index);
    else each(text.slice(start, stop), false, index);
    index++;
    start = end + 1;
  }
  return index;
}
