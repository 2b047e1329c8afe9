// journald's JSON entries (scanMembers in byte-journald.ts, which this equals): the members
// named in NAME_TEXT/NAME_LENGTH are found, their values unescaped sixteen bytes at a time into
// the input's values part, where byte-body.ts then reads MESSAGE's body.

import { INPUT, QUOTE, VALUES_AT, VALUES_SIZE, byte, sameBytes } from './shared';

// The names JS looks for (32 bytes each), and where each one's value went (offsets from the
// values' start; -1: absent).
const MAX_NAMES = 8;
export const NAME_TEXT = memory.data(MAX_NAMES * 32, 16);
export const NAME_LENGTH = memory.data(MAX_NAMES * 4, 16);
export const MEMBER_START = memory.data(MAX_NAMES * 4, 16);
export const MEMBER_END = memory.data(MAX_NAMES * 4, 16);
let names: i32 = 0;

/** After JS has written NAME_TEXT and NAME_LENGTH for `count` names. */
export function setNames(count: i32): void {
  names = count;
}

/** Bit k: byte k of `v` is a quote, a backslash, a control character or past ASCII. */
function special(v: v128): u32 {
  const controlOrHigh = i8x16.lt_s(v, i8x16.splat(0x20));
  const quoteOrBackslash = v128.or(i8x16.eq(v, i8x16.splat(34)), i8x16.eq(v, i8x16.splat(92)));
  return <u32>i8x16.bitmask(v128.or(controlOrHigh, quoteOrBackslash));
}

/** The name that input[start, end) is, or -1. */
function nameIndex(start: i32, end: i32): i32 {
  const n = end - start;
  for (let k = 0; k < names; k++)
    if (
      load<i32>(NAME_LENGTH + ((<usize>k) << 2)) == n &&
      sameBytes(NAME_TEXT + ((<usize>k) << 5), INPUT + <usize>start, n)
    )
      return k;
  return -1;
}

/**
 * The string members of the JSON object in input[start, end) (starting with `{`), values with
 * their escapes undone written to the input's values part: 1, -1 when the line is longer than
 * that part can take (JS reads it), or 0 where scanMembers gives false (an
 * escape other than \", \\ and \/, a control character or byte past ASCII, anything but a
 * flat object of strings). MEMBER_START/MEMBER_END get the named members' values, the last of a
 * repeated name winning.
 */
export function journald(start: i32, end: i32): i32 {
  // Values are written sixteen bytes at a time: room for the whole line and a block more.
  if (end - start + 32 > VALUES_SIZE) return -1;
  const out = VALUES_AT;
  for (let k = 0; k < names; k++) store<i32>(MEMBER_START + ((<usize>k) << 2), -1);
  let n = out;
  let i = start + 1;
  for (;;) {
    if (i >= end || byte(i) != QUOTE) return 0;
    const keyStart = i + 1;
    let keyEnd = keyStart;
    for (;;) {
      const m = special(v128.load(INPUT + <usize>keyEnd));
      if (m != 0) {
        keyEnd += <i32>ctz(m);
        break;
      }
      keyEnd += 16;
      if (keyEnd >= end) break;
    }
    if (keyEnd + 2 >= end || byte(keyEnd) != QUOTE || byte(keyEnd + 1) != 58 || byte(keyEnd + 2) != QUOTE)
      return 0;
    const valueStart = n;
    let at = keyEnd + 3;
    for (;;) {
      // Sixteen bytes at a time, written whole; the count moves up to the first special one.
      for (;;) {
        if (at >= end) return 0;
        const v = v128.load(INPUT + <usize>at);
        v128.store(INPUT + <usize>n, v);
        const m = special(v);
        if (m != 0) {
          const k = <i32>ctz(m);
          at += k;
          n += k;
          break;
        }
        at += 16;
        n += 16;
      }
      if (at >= end) return 0;
      let c = byte(at);
      if (c == QUOTE) break;
      if (c < 0x20 || c >= 0x80) return 0;
      if (c == 92) {
        at++;
        c = byte(at);
        if (at >= end || (c != QUOTE && c != 92 && c != 47)) return 0;
      }
      store<u8>(INPUT + <usize>n, c);
      n++;
      at++;
    }
    const k = nameIndex(keyStart, keyEnd);
    if (k >= 0) {
      store<i32>(MEMBER_START + ((<usize>k) << 2), valueStart - out);
      store<i32>(MEMBER_END + ((<usize>k) << 2), n - out);
    }
    const next = at + 1;
    if (next < end && byte(next) == 44 /* , */) i = next + 1;
    else return next + 1 == end && byte(next) == 125 /* } */ ? 1 : 0;
  }
  return 0;
}
