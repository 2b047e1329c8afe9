import { bodyWindow, windowNewlineAt, windowNewlines } from '../record/byte-body.js';

/**
 * Where forEachWindowLine gives each line: `bytes[from, to)` without its newline, `terminated`
 * when a newline ended it. The bytes are only valid during the call.
 */
export type WindowLineEach = (bytes: Buffer, from: number, to: number, terminated: boolean) => void;

// Fills of the window so far: a call that sees another's fill (a callback that read other
// bytes through the window) fills it again from where it is.
let fills = 0;

/**
 * Calls `each` for every line of bytes[start, end), cut at newlines, the last piece a line if
 * not empty (no CR is dropped: callers do as their input rules say). The lines are given in the
 * byte reader's window (bodyWindow), where the WebAssembly module reads them without a copy
 * each: the bytes are copied in half a MiB at a time and the window's newlines found all at once.
 * A line longer than the window is given where it is. `each` may read other bytes through the
 * window (a sink pushing into another parser): the rest is copied in again. Returns the number
 * of lines.
 */
export function forEachWindowLine(
  bytes: Uint8Array,
  start: number,
  end: number,
  each: WindowLineEach,
): number {
  // Buffer's indexOf is memchr; a plain Uint8Array's walks element by element.
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The window holds buf[windowAt, windowAt + size); its newlines are windowNewlineAt[0, newlines).
  let windowAt = start;
  let size = 0;
  let newlines = 0;
  let nextNewline = 0;
  let lines = 0;
  let at = start;
  let mine = -1;
  while (at < end) {
    if (mine !== fills) {
      // Another call filled the window (or none has for this one yet).
      windowAt = at;
      size = newlines = nextNewline = 0;
    }
    if (nextNewline === newlines && windowAt + size < end) {
      // No newline left in the window and more input: refill from this line.
      windowAt = at;
      size = Math.min(end - at, bodyWindow.length);
      buf.copy(bodyWindow, 0, at, at + size);
      newlines = windowNewlines(size);
      nextNewline = 0;
      mine = ++fills;
    }
    if (nextNewline < newlines) {
      const stop = windowNewlineAt[nextNewline++];
      each(bodyWindow, at - windowAt, stop, true);
      at = windowAt + stop + 1;
    } else if (windowAt + size === end) {
      // The input's last line, without a newline.
      each(bodyWindow, at - windowAt, size, false);
      at = end;
    } else {
      // Longer than the window: given where it is.
      let stop = buf.indexOf(10, at);
      const terminated = stop >= 0 && stop < end;
      if (!terminated) stop = end;
      each(buf, at, stop, terminated);
      at = stop + 1;
      windowAt = at;
      size = 0;
    }
    lines++;
  }
  return lines;
}
