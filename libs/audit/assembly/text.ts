// Scans over plain text: the window's newlines (forEachWindowLine in window-lines.ts), and JSON
// strings escaped as JSON.stringify escapes them.

import { INPUT, WINDOW_SIZE } from './shared';

// Where newlines() found the window's newlines.
export const NEWLINE_AT = memory.data(WINDOW_SIZE * 4, 16);

/** The offsets of every newline in the window's first `size` bytes, in order, into NEWLINE_AT; returns how many. */
export function newlines(size: i32): i32 {
  const to = size < WINDOW_SIZE ? size : WINDOW_SIZE;
  const nl = i8x16.splat(10);
  let count = 0;
  for (let at = 0; at < to; at += 16) {
    let mask = <u32>i8x16.bitmask(i8x16.eq(v128.load(INPUT + <usize>at), nl));
    // Bytes at and past `to`: none.
    const left = to - at;
    if (left < 16) mask &= ((<u32>1) << (<u32>left)) - 1;
    while (mask != 0) {
      store<i32>(NEWLINE_AT + ((<usize>count) << 2), at + <i32>ctz(mask));
      count++;
      mask &= mask - 1;
    }
  }
  return count;
}

// JSON strings (putLongString in seccomp-event-json.ts): ASCII text JS writes to JSON_IN, written
// as JSON.stringify writes it to JSON_OUT.
export const JSON_MAX: i32 = 16384;
export const JSON_IN = memory.data(JSON_MAX + 16, 16);
export const JSON_OUT = memory.data(JSON_MAX * 6 + 32, 16);

/**
 * JSON_IN[0, n) (ASCII, n <= JSON_MAX) as a JSON string, quotes and all, into JSON_OUT: `"` and
 * `\\` escaped, \b \t \n \f \r as such, other control characters as \u00xx. Returns its length.
 */
export function jsonString(n: i32): i32 {
  return <i32>(asciiJsonString(JSON_IN, n, JSON_OUT) - JSON_OUT);
}

/**
 * The ASCII bytes [from, from + n) as a JSON string at `to` (which has room for six bytes a byte,
 * the quotes and 16 more); returns where it ends. `from` has 16 readable bytes past its end.
 */
export function asciiJsonString(from: usize, n: i32, to: usize): usize {
  const quote = i8x16.splat(34);
  const backslash = i8x16.splat(92);
  const space = i8x16.splat(32);
  store<u8>(to, 34);
  let o: usize = to + 1;
  let i = 0;
  while (i < n) {
    // Sixteen bytes at a time, written whole; the counts move up to the first to escape.
    const v = v128.load(from + <usize>i);
    v128.store(o, v);
    let m = <u32>(
      i8x16.bitmask(v128.or(i8x16.lt_u(v, space), v128.or(i8x16.eq(v, quote), i8x16.eq(v, backslash))))
    );
    const left = n - i;
    if (left < 16) m |= (<u32>1) << (<u32>left);
    if (m == 0) {
      i += 16;
      o += 16;
      continue;
    }
    const k = <i32>ctz(m);
    i += k;
    o += <usize>k;
    if (i >= n) break;
    const c = load<u8>(from + <usize>i);
    i++;
    o = escapeAscii(o, c);
  }
  store<u8>(o, 34);
  return o + 1;
}

/** The escape of `"`, `\\` or a control character at `o`; returns where it ends. */
export function escapeAscii(o: usize, c: u32): usize {
  store<u8>(o, 92);
  let e: u32 = 0;
  if (c == 34 || c == 92) e = c;
  else if (c == 8) e = 98;
  else if (c == 9) e = 116;
  else if (c == 10) e = 110;
  else if (c == 12) e = 102;
  else if (c == 13) e = 114;
  if (e != 0) {
    store<u8>(o + 1, e);
    return o + 2;
  }
  store<u8>(o + 1, 117); /* u */
  store<u8>(o + 2, 48);
  store<u8>(o + 3, 48);
  const hi = c >> 4;
  const lo = c & 15;
  store<u8>(o + 4, hi < 10 ? 48 + hi : 87 + hi);
  store<u8>(o + 5, lo < 10 ? 48 + lo : 87 + lo);
  return o + 6;
}
