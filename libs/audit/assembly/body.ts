// The SECCOMP body (parseSeccompBodyBytes in byte-body.ts): the body's spaces, 0x1D, quotes and
// bytes past ASCII are found sixteen at a time (SIMD) into bitmaps first; then each key is
// matched in one 8-byte word, its value's end found from the bitmap, numbers read four digits at
// a time. JS writes the keys (each with its `=`, at most 8 bytes) and how each value is read into
// the key tables. The fields go to NUMBERS and STRINGS (string entries, intern.ts). Where the
// string parser (record-body.ts) is to read the body, -1.

import {
  ABSENT,
  DECODED,
  MAX_VALUES,
  NULL,
  QUESTION,
  SPAN,
  TEXT,
  beginLine,
  forget,
  intern,
  refuse,
  setEntry,
} from './intern';
import { GS, INPUT, INPUT_SIZE, QUOTE, SPACE, byte, low } from './shared';

// ` pid=` after a space, as a little-endian word.
const PID_EQ: u32 = 0x3d646970;
// `(null)`, as a little-endian word.
const NULL_TEXT: u64 = 0x296c6c756e28;

// How a key's value is read (byte-body.ts sets these from SECCOMP_KEYS).
const NUMBER: i32 = 0;
const SUBJ: i32 = 1;
const COMM: i32 = 2;
const EXE: i32 = 3;
const REASON: i32 = 4;
const ARCH: i32 = 5;
const IP: i32 = 6;

const MAX_KEYS = MAX_VALUES;
const BITMAP_WORDS: i32 = INPUT_SIZE / 64 + 1;

// Per key: its text (with `=`) as a word, the mask of its length, its length, how it is read.
export const KEY_WORD = memory.data(MAX_KEYS * 8, 16);
const keyMask = memory.data(MAX_KEYS * 8, 16);
export const KEY_LENGTH = memory.data(MAX_KEYS * 4, 16);
export const KEY_KIND = memory.data(MAX_KEYS * 4, 16);
// Per key: the number read (f64, as JS reads it), and a string entry.
export const NUMBERS = memory.data(MAX_KEYS * 8, 16);
export const STRINGS = memory.data(MAX_KEYS * 20, 16);
// Bit k: key k was present.
export const PRESENT = memory.data(8, 16);
// Bit p of each: input[start + p] is a space or 0x1D / a quote or 0x1D.
const delimiters = memory.data(BITMAP_WORDS * 8, 16);
const quotes = memory.data(BITMAP_WORDS * 8, 16);
// Bitmap words written by the last scan (it stops at the word of the first 0x1D, past which no
// search goes: every bitmap has that bit).
let words: i32 = 0;
let keys: i32 = 0;

/** After JS has written KEY_WORD, KEY_LENGTH and KEY_KIND for `count` keys. */
export function setKeys(count: i32): void {
  keys = count;
  for (let k = 0; k < count; k++) {
    const n = load<i32>(KEY_LENGTH + ((<usize>k) << 2));
    store<u64>(keyMask + ((<usize>k) << 3), low(<u64>-1, n));
  }
  forget();
}

/**
 * The bitmaps of input[start, end): spaces and 0x1D, quotes and 0x1D. Returns the offset of
 * the first 0x1D (or end - start), or -1 when a byte before it is past ASCII.
 */
function scan(start: i32, end: i32): i32 {
  const n = end - start;
  const sp = i8x16.splat(<i8>SPACE);
  const gs = i8x16.splat(<i8>GS);
  const qt = i8x16.splat(<i8>QUOTE);
  let firstGs = n;
  let high: i32 = 0;
  words = 0;
  for (let w = 0; w * 64 < n; w++) {
    let d: u64 = 0;
    let q: u64 = 0;
    let g: u64 = 0;
    let h: u64 = 0;
    for (let b = 0; b < 4; b++) {
      const at = w * 64 + b * 16;
      if (at >= n) break;
      const v = v128.load(INPUT + <usize>(start + at));
      const isGs = i8x16.eq(v, gs);
      const shift = <u64>(b * 16);
      d |= (<u64>(<u32>i8x16.bitmask(v128.or(i8x16.eq(v, sp), isGs)))) << shift;
      q |= (<u64>(<u32>i8x16.bitmask(v128.or(i8x16.eq(v, qt), isGs)))) << shift;
      g |= (<u64>(<u32>i8x16.bitmask(isGs))) << shift;
      h |= (<u64>(<u32>i8x16.bitmask(v))) << shift;
    }
    // Bits at and past the end: none.
    const left = n - w * 64;
    if (left < 64) {
      const keep = ((<u64>1) << (<u64>left)) - 1;
      d &= keep;
      q &= keep;
      g &= keep;
      h &= keep;
    }
    store<u64>(delimiters + ((<usize>w) << 3), d);
    store<u64>(quotes + ((<usize>w) << 3), q);
    words = w + 1;
    if (firstGs == n && g != 0) {
      firstGs = w * 64 + <i32>ctz(g);
      // Bytes past ASCII count before the first 0x1D only (the body ends there).
      const before = firstGs - w * 64;
      if (before < 64) h &= ((<u64>1) << (<u64>before)) - 1;
      if (h != 0) high = 1;
      break;
    }
    if (h != 0) high = 1;
  }
  return high != 0 ? -1 : firstGs;
}

/** The first position at or after `from` whose bit is set in `bitmap`, or `end`. */
function next(bitmap: usize, start: i32, end: i32, from: i32): i32 {
  let b = from - start;
  let w = b >> 6;
  if (w >= words) return end;
  let bits = load<u64>(bitmap + ((<usize>w) << 3)) >> (<u64>(b & 63));
  while (bits == 0) {
    w++;
    if (w >= words) return end;
    bits = load<u64>(bitmap + ((<usize>w) << 3));
    b = w << 6;
  }
  return start + b + <i32>ctz(bits);
}

/** Index of the key (with its `=`) at input[i], from `expected` on; -1 when none. */
function keyIndexAt(i: i32, end: i32, expected: i32): i32 {
  const word = load<u64>(INPUT + <usize>i);
  for (let k = expected; k < keys; k++) {
    if ((word & load<u64>(keyMask + ((<usize>k) << 3))) != load<u64>(KEY_WORD + ((<usize>k) << 3))) continue;
    if (i + load<i32>(KEY_LENGTH + ((<usize>k) << 2)) <= end) return k;
  }
  return -1;
}

/**
 * The four digits of a word as a number (the first digit in the low byte), or -1 when a byte
 * is not a digit. Digits have high nibble 3, and stay below 0x40 when six is added (a carry out
 * of a byte only comes from one that fails already).
 */
function fourDigits(x: u32): i32 {
  if (((x & 0xf0f0f0f0) | (((x + 0x06060606) & 0xf0f0f0f0) >> 4)) != 0x33333333) return -1;
  let t = x - 0x30303030;
  t = (t * 10 + (t >> 8)) & 0x00ff00ff;
  return <i32>((t * 100 + (t >> 16)) & 0xffff);
}

/**
 * The number of 1 to 16 digits in input[j, e), as the JS readers compute it: exact in an
 * integer for 15 digits (below 2^53), a 16th as one multiply and one add in f64, so a number
 * past 2^53 rounds the same. NaN when a byte is not a digit or the length is off.
 */
function decimal(j: i32, e: i32): f64 {
  const length = e - j;
  if (length == 0 || length > 16) return NaN;
  const exact = j + (length < 15 ? length : 15);
  let whole: i64 = 0;
  for (; j + 4 <= exact; j += 4) {
    const four = fourDigits(load<u32>(INPUT + <usize>j));
    if (four < 0) return NaN;
    whole = whole * 10000 + <i64>four;
  }
  for (; j < exact; j++) {
    const d = byte(j) - 48;
    if (d > 9) return NaN;
    whole = whole * 10 + <i64>d;
  }
  let value = <f64>whole;
  if (j < e) {
    const d = byte(j) - 48;
    if (d > 9) return NaN;
    value = value * 10 + <f64>d;
  }
  return value;
}

/**
 * Reads the SECCOMP body in input[start, end): returns where it stopped (the end or the first
 * 0x1D), or -1 where the string parser is to read it.
 */
export function body(start: i32, end: i32): i32 {
  if (end - start > INPUT_SIZE) return -1;
  beginLine(end - start);
  return readBody(start, end);
}

/** body() after beginLine; line() reads its body with it. */
export function readBody(start: i32, end: i32): i32 {
  // Every byte the reader passes over is read, so one past ASCII before the body's end is a -1.
  if (scan(start, end) < 0) return refuse();
  let mask: u32 = 0;
  for (let k = 0; k < keys; k++) store<i32>(STRINGS + <usize>k * 20, ABSENT);
  let i = start;
  let expected = 0;
  for (;;) {
    while (i < end && byte(i) == SPACE) i++;
    if (i >= end || byte(i) == GS) break;
    const key = keyIndexAt(i, end, expected);
    if (key < 0) return refuse();
    expected = key + 1;
    const kind = load<i32>(KEY_KIND + ((<usize>key) << 2));
    const entry = STRINGS + <usize>key * 20;
    let v = i + load<i32>(KEY_LENGTH + ((<usize>key) << 2));
    if (kind == NUMBER) {
      const negative = v < end && byte(v) == 45; /* - */
      const j = negative ? v + 1 : v;
      // Digits, then a space, 0x1D or the end.
      const e = next(delimiters, start, end, j);
      const value = decimal(j, e);
      if (isNaN(value)) return refuse();
      store<f64>(NUMBERS + ((<usize>key) << 3), negative ? -value : value);
      mask |= (<u32>1) << (<u32>key);
      i = e;
      continue;
    }
    // `reason` belongs to the ANOM_ABEND form, which the string parser reads.
    if (kind == REASON) return refuse();
    if (v < end && byte(v) == QUOTE) {
      // Quoted: comm and exe only (the kernel quotes nothing else here).
      if (kind != COMM && kind != EXE) return refuse();
      v++;
      const e = next(quotes, start, end, v);
      if (e >= end || byte(e) != QUOTE) return refuse();
      intern(entry, TEXT, v, e);
      i = e + 1;
      continue;
    }
    if (kind == SUBJ) {
      // AppArmor's subj has spaces: it runs to the next ` pid=`.
      let e = next(delimiters, start, end, v);
      for (;;) {
        if (e + 4 >= end || byte(e) == GS) return refuse();
        if (load<u32>(INPUT + <usize>(e + 1)) == PID_EQ) break;
        e = next(delimiters, start, end, e + 1);
      }
      intern(entry, TEXT, v, e);
      i = e;
      continue;
    }
    const e = next(delimiters, start, end, v);
    const n = e - v;
    i = e;
    if (kind == IP) setEntry(entry, SPAN, -1, v, e, 0);
    else if (kind == COMM || kind == EXE) {
      if (n == 1 && byte(v) == 63 /* ? */) setEntry(entry, QUESTION, -1, v, e, 0);
      else if (n == 6 && low(load<u64>(INPUT + <usize>v), 6) == NULL_TEXT) setEntry(entry, NULL, -1, v, e, 0);
      else intern(entry, DECODED, v, e);
    } else if (kind == ARCH) {
      // Lower-case hex stays as written (record-body.ts lower-cases and pads to the same text).
      for (let j = v; j < e; j++) {
        const c = byte(j);
        if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return refuse();
      }
      intern(entry, TEXT, v, e);
    } else intern(entry, TEXT, v, e);
  }
  store<u32>(PRESENT, mask);
  return i;
}
