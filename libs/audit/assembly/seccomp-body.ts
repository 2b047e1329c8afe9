// The SECCOMP body reader of libs/audit/src/record/byte-body.ts, in AssemblyScript compiled to
// WebAssembly: a JS byte loop costs about 1 ns a byte, and the body is most of a record. Here
// the body's spaces, 0x1D, quotes and bytes past ASCII are found sixteen at a time (SIMD) into
// bitmaps first; then each key is matched in one 8-byte word, its value's end found from the
// bitmap, numbers read four digits at a time. Built into src/record/seccomp-body-wasm.generated.ts
// by `node libs/audit/scripts/build-wasm.mjs` (a spec checks the committed module is this source's).
//
// JS writes the keys (each with its `=`, at most 8 bytes) and how each value is read into the
// key tables, copies bodies into `input`, and calls body(start, end). The fields go to `numbers`
// and `strings`; values that repeat (comm, exe, subj, arch, code) are interned here by their
// bytes, and JS keeps one string per id. Where the JS reader this replaced handed a line to the
// string parser (record-body.ts), body() gives -1, and byte-body.ts does the same.

const SPACE: u32 = 32;
const QUOTE: u32 = 34;
const GS: u32 = 0x1d;
// ` pid=` after a space, as a little-endian word.
const PID_EQ: u32 = 0x3d646970;

// How a key's value is read (byte-body.ts sets these from SECCOMP_KEYS).
const NUMBER: i32 = 0;
const SUBJ: i32 = 1;
const COMM: i32 = 2;
const EXE: i32 = 3;
const REASON: i32 = 4;
const ARCH: i32 = 5;
const IP: i32 = 6;

// What strings[key] says of a value: absent, its bytes (interned as they are, or to be decoded
// from the kernel's hex by JS), `?`, `(null)`, or a span to cut as it is (ip).
const ABSENT: i32 = 0;
const TEXT: i32 = 1;
const DECODED: i32 = 2;
const QUESTION: i32 = 3;
const NULL: i32 = 4;
const SPAN: i32 = 5;

// The shapes line() reads (AuditLineShape in JS), and the namespace of hosts in the table.
const AUDITD: i32 = 0;
const ENRICHED: i32 = 1;
const KMSG: i32 = 2;
const DMESG: i32 = 3;
const SYSLOG: i32 = 4;
const HOST: i32 = 3;

const MAX_KEYS = 32;
export const INPUT_SIZE: i32 = 1 << 20;
// Longer values are not kept (as ByteInterner's maxBytes).
const MAX_KEPT: i32 = 128;
const SLOTS: i32 = 8192;
const MAX_ENTRIES: i32 = 4096;
const ARENA_SIZE: i32 = MAX_ENTRIES * (MAX_KEPT + 8);
const BITMAP_WORDS: i32 = INPUT_SIZE / 64 + 1;
const EMPTY: u32 = 0xffffffff;

// The bytes, with room for 16-byte loads past the end.
const input = memory.data(INPUT_SIZE + 16, 16);
// Where newlines() found the newlines.
const newlineAt = memory.data(INPUT_SIZE * 4, 16);
// Per key: its text (with `=`) as a word, the mask of its length, its length, how it is read.
const keyWord = memory.data(MAX_KEYS * 8, 16);
const keyMask = memory.data(MAX_KEYS * 8, 16);
const keyLength = memory.data(MAX_KEYS * 4, 16);
const keyKind = memory.data(MAX_KEYS * 4, 16);
// Per key: the number read (f64, as JS reads it), and for strings [form, id, start, end, new].
const numbers = memory.data(MAX_KEYS * 8, 16);
const strings = memory.data(MAX_KEYS * 20, 16);
// Bit k: key k was present.
const present = memory.data(8, 16);
// line()'s record header: seconds, milliseconds, serial (f64), and the host as a string entry
// [form, id, start, end, new] (form ABSENT: none).
const header = memory.data(3 * 8, 16);
const host = memory.data(20, 16);
// Bit p of each: input[start + p] is a space or 0x1D / a quote or 0x1D.
const delimiters = memory.data(BITMAP_WORDS * 8, 16);
const quotes = memory.data(BITMAP_WORDS * 8, 16);
// The intern table: per slot [hash, where in the arena, length | namespace << 24, id].
const slots = memory.data(SLOTS * 16, 16);
const arena = memory.data(ARENA_SIZE + 16, 16);
// Bitmap words written by the last scan (it stops at the word of the first 0x1D, past which no
// search goes: every bitmap has that bit).
let words: i32 = 0;
let arenaUsed: i32 = 0;
let entries: i32 = 0;
// The slots filled by the body being read, emptied again if it gives -1 (JS never learns of
// their ids). Emptying the last filled first leaves the table as it was before them.
const filled = memory.data(MAX_KEYS * 4, 16);
let fills: i32 = 0;
let keys: i32 = 0;

export function inputPointer(): usize {
  return input;
}
export function newlinePointer(): usize {
  return newlineAt;
}

/** The offsets of every newline in input[from, to), in order, into newlineAt; returns how many. */
export function newlines(from: i32, to: i32): i32 {
  const nl = i8x16.splat(10);
  let count = 0;
  for (let at = from; at < to; at += 16) {
    let mask = <u32>i8x16.bitmask(i8x16.eq(v128.load(input + <usize>at), nl));
    // Bytes at and past `to`: none.
    const left = to - at;
    if (left < 16) mask &= ((<u32>1) << (<u32>left)) - 1;
    while (mask != 0) {
      store<i32>(newlineAt + ((<usize>count) << 2), at + <i32>ctz(mask));
      count++;
      mask &= mask - 1;
    }
  }
  return count;
}
export function keyWordPointer(): usize {
  return keyWord;
}
export function keyLengthPointer(): usize {
  return keyLength;
}
export function keyKindPointer(): usize {
  return keyKind;
}
export function numbersPointer(): usize {
  return numbers;
}
export function stringsPointer(): usize {
  return strings;
}
export function presentPointer(): usize {
  return present;
}
export function headerPointer(): usize {
  return header;
}
export function hostPointer(): usize {
  return host;
}

/** After JS has written keyWord, keyLength and keyKind for `count` keys. */
export function setKeys(count: i32): void {
  keys = count;
  for (let k = 0; k < count; k++) {
    const n = load<i32>(keyLength + ((<usize>k) << 2));
    const mask: u64 = n >= 8 ? <u64>-1 : ((<u64>1) << (<u64>n * 8)) - 1;
    store<u64>(keyMask + ((<usize>k) << 3), mask);
  }
  forget();
}

/** Forgets every interned value: ids start again at 0. */
export function forget(): void {
  for (let s = 0; s < SLOTS; s++) store<u32>(slots + ((<usize>s) << 4), EMPTY, 8);
  arenaUsed = 0;
  entries = 0;
}

function byte(i: i32): u32 {
  return load<u8>(input + <usize>i);
}

/** The low `n` (<= 8) bytes of a word. */
function low(w: u64, n: i32): u64 {
  // A shift by 64 is a shift by 0 in WebAssembly.
  return n >= 8 ? w : w & (((<u64>1) << (<u64>n * 8)) - 1);
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
      const v = v128.load(input + <usize>(start + at));
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
  const word = load<u64>(input + <usize>i);
  for (let k = expected; k < keys; k++) {
    if ((word & load<u64>(keyMask + ((<usize>k) << 3))) != load<u64>(keyWord + ((<usize>k) << 3))) continue;
    if (i + load<i32>(keyLength + ((<usize>k) << 2)) <= end) return k;
  }
  return -1;
}

/**
 * The four digits of a word as a number (the first digit in the low byte), or -1 when a byte
 * is not a digit (as fourDigits in byte-body.ts read it before).
 */
function fourDigits(x: u32): i32 {
  if (((x & 0xf0f0f0f0) | (((x + 0x06060606) & 0xf0f0f0f0) >> 4)) != 0x33333333) return -1;
  let t = x - 0x30303030;
  t = (t * 10 + (t >> 8)) & 0x00ff00ff;
  return <i32>((t * 100 + (t >> 16)) & 0xffff);
}

function setString(key: i32, form: i32, id: i32, start: i32, end: i32, isNew: i32): void {
  // key -1: the host (line()).
  const at = key < 0 ? host : strings + <usize>key * 20;
  store<i32>(at, form);
  store<i32>(at, id, 4);
  store<i32>(at, start, 8);
  store<i32>(at, end, 12);
  store<i32>(at, isNew, 16);
}

/** Interns input[start, end) (ASCII) in namespace `form` (TEXT or DECODED) as key's value. */
function intern(key: i32, form: i32, start: i32, end: i32): void {
  const n = end - start;
  if (n > MAX_KEPT) {
    setString(key, form, -1, start, end, 0);
    return;
  }
  let h: u64 = <u64>n * 0x9e3779b97f4a7c15 + <u64>form;
  let i = start;
  for (; i + 8 <= end; i += 8) h = (h ^ load<u64>(input + <usize>i)) * 0x100000001b3;
  if (i < end) h = (h ^ low(load<u64>(input + <usize>i), end - i)) * 0x100000001b3;
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9;
  const hash = <u32>(h >> 32);
  const lengthForm = (<u32>n) | ((<u32>form) << 24);
  let slot = <i32>(hash & (<u32>(SLOTS - 1)));
  for (;;) {
    const at = slots + ((<usize>slot) << 4);
    const kept = load<u32>(at, 8);
    if (kept == EMPTY) break;
    if (kept == lengthForm && load<u32>(at) == hash) {
      const bytes = arena + <usize>load<i32>(at, 4);
      let j = 0;
      for (; j + 8 <= n; j += 8)
        if (load<u64>(bytes + <usize>j) != load<u64>(input + <usize>(start + j))) break;
      if (
        j + 8 > n &&
        (j == n ||
          low(load<u64>(bytes + <usize>j), n - j) == low(load<u64>(input + <usize>(start + j)), n - j))
      ) {
        setString(key, form, load<i32>(at, 12), start, end, 0);
        return;
      }
    }
    slot = (slot + 1) & (SLOTS - 1);
  }
  // body() made room before it began.
  const at = slots + ((<usize>slot) << 4);
  memory.copy(arena + <usize>arenaUsed, input + <usize>start, <usize>n);
  store<u32>(at, hash);
  store<i32>(at, arenaUsed, 4);
  store<u32>(at, lengthForm, 8);
  store<i32>(at, entries, 12);
  store<i32>(filled + ((<usize>fills) << 2), slot);
  fills++;
  setString(key, form, entries, start, end, 1);
  entries++;
  arenaUsed += (n + 7) & ~7;
}

/** body()'s -1: the values it interned are forgotten. */
function fail(): i32 {
  while (fills > 0) {
    fills--;
    const at = slots + ((<usize>load<i32>(filled + ((<usize>fills) << 2))) << 4);
    entries--;
    arenaUsed = load<i32>(at, 4);
    store<u32>(at, EMPTY, 8);
  }
  return -1;
}

/**
 * Reads the SECCOMP body in input[start, end): returns where it stopped (the end or the first
 * 0x1D), or -1 where byte-body.ts's JS reader gave undefined.
 */
export function body(start: i32, end: i32): i32 {
  if (end - start > INPUT_SIZE) return -1;
  // Room for every value of this body, so no id is forgotten while it is read.
  if (entries + MAX_KEYS > MAX_ENTRIES || arenaUsed + (end - start) + MAX_KEYS * 8 > ARENA_SIZE) forget();
  fills = 0;
  return readBody(start, end);
}

/** body() after its checks; line() reads its body with it. */
function readBody(start: i32, end: i32): i32 {
  // Every byte the reader passes over is read, so one past ASCII before the body's end is a -1.
  if (scan(start, end) < 0) return fail();
  let mask: u32 = 0;
  for (let k = 0; k < keys; k++) store<i32>(strings + <usize>k * 20, ABSENT);
  let i = start;
  let expected = 0;
  for (;;) {
    while (i < end && byte(i) == SPACE) i++;
    if (i >= end || byte(i) == GS) break;
    const key = keyIndexAt(i, end, expected);
    if (key < 0) return fail();
    expected = key + 1;
    const kind = load<i32>(keyKind + ((<usize>key) << 2));
    let v = i + load<i32>(keyLength + ((<usize>key) << 2));
    if (kind == NUMBER) {
      const negative = v < end && byte(v) == 45; /* - */
      let j = negative ? v + 1 : v;
      // 1 to 16 digits, then a space, 0x1D or the end.
      const e = next(delimiters, start, end, j);
      const length = e - j;
      if (length == 0 || length > 16) return fail();
      // Exact in an integer for 15 digits (below 2^53); a 16th as the JS readers take it, one
      // multiply and one add in f64, so a number past 2^53 rounds the same.
      const exact = j + (length < 15 ? length : 15);
      let whole: i64 = 0;
      for (; j + 4 <= exact; j += 4) {
        const four = fourDigits(load<u32>(input + <usize>j));
        if (four < 0) return fail();
        whole = whole * 10000 + <i64>four;
      }
      for (; j < exact; j++) {
        const d = byte(j) - 48;
        if (d > 9) return fail();
        whole = whole * 10 + <i64>d;
      }
      let value = <f64>whole;
      if (j < e) {
        const d = byte(j) - 48;
        if (d > 9) return fail();
        value = value * 10 + <f64>d;
      }
      if (negative) value = -value;
      store<f64>(numbers + ((<usize>key) << 3), value);
      mask |= (<u32>1) << (<u32>key);
      i = e;
      continue;
    }
    // `reason` belongs to the ANOM_ABEND form, which the string parser reads.
    if (kind == REASON) return fail();
    if (v < end && byte(v) == QUOTE) {
      // Quoted: comm and exe only (the kernel quotes nothing else here).
      if (kind != COMM && kind != EXE) return fail();
      v++;
      const e = next(quotes, start, end, v);
      if (e >= end || byte(e) != QUOTE) return fail();
      intern(key, TEXT, v, e);
      i = e + 1;
      continue;
    }
    if (kind == SUBJ) {
      // AppArmor's subj has spaces: it runs to the next ` pid=`.
      let e = next(delimiters, start, end, v);
      for (;;) {
        if (e + 4 >= end || byte(e) == GS) return fail();
        if (load<u32>(input + <usize>(e + 1)) == PID_EQ) break;
        e = next(delimiters, start, end, e + 1);
      }
      intern(key, TEXT, v, e);
      i = e;
      continue;
    }
    const e = next(delimiters, start, end, v);
    const n = e - v;
    i = e;
    if (kind == IP) setString(key, SPAN, -1, v, e, 0);
    else if (kind == COMM || kind == EXE) {
      if (n == 1 && byte(v) == 63 /* ? */) setString(key, QUESTION, -1, v, e, 0);
      // `(null)`
      else if (n == 6 && low(load<u64>(input + <usize>v), 6) == 0x296c6c756e28)
        setString(key, NULL, -1, v, e, 0);
      else intern(key, DECODED, v, e);
    } else if (kind == ARCH) {
      // Lower-case hex stays as written (record-body.ts lower-cases and pads to the same text).
      for (let j = v; j < e; j++) {
        const c = byte(j);
        if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return fail();
      }
      intern(key, TEXT, v, e);
    } else intern(key, TEXT, v, e);
  }
  store<u32>(present, mask);
  return i;
}

/** input[i, i + n) (n <= 8, before `end`) is the text whose little-endian word is `word`. */
function bytesAt(i: i32, end: i32, word: u64, n: i32): bool {
  return i + n <= end && low(load<u64>(input + <usize>i), n) == word;
}
// Little-endian words of `type=`, `node=`, `SECCOMP `, ` msg=au` and `dit(`, `audit: t` and
// `ype=`, ` kernel:` (a space follows), ` audit(`.
const TYPE_EQ: u64 = 0x3d65707974;
const NODE_EQ: u64 = 0x3d65646f6e;
const SECCOMP_SP: u64 = 0x20504d4f43434553;
const MSG_AU: u64 = 0x75613d67736d20;
const DIT_OPEN: u64 = 0x28746964;
const AUDIT_T: u64 = 0x74203a7469647561;
const YPE_EQ: u64 = 0x3d657079;
const KERNEL_COLON: u64 = 0x3a6c656e72656b20;
const AUDIT_OPEN: u64 = 0x28746964756120;

// Where digits() stopped.
let digitsEnd: i32 = 0;

/** Unsigned decimal of 1 to `most` digits at input[at ...], before `end`; -1 when none. */
function digits(at: i32, end: i32, most: i32): i64 {
  let i = at;
  let value: i64 = 0;
  for (; i < end && i - at < most; i++) {
    const d = byte(i) - 48;
    if (d > 9) break;
    value = value * 10 + <i64>d;
  }
  digitsEnd = i;
  return i == at ? -1 : value;
}

/** The stamp `SEC.MSEC:SERIAL)` and an optional `:` at input[at ...] into header: the body start, or -1. */
function stamp(at: i32, end: i32): i32 {
  // Up to one digit more than allowed, so that too many digits is told from enough.
  const sec = digits(at, end, 11);
  if (sec < 0 || digitsEnd - at > 10 || digitsEnd >= end || byte(digitsEnd) != 46 /* . */) return -1;
  let i = digitsEnd + 1;
  const msec = digits(i, end, 4);
  if (msec < 0 || digitsEnd - i != 3 || digitsEnd >= end || byte(digitsEnd) != 58 /* : */) return -1;
  i = digitsEnd + 1;
  const serial = digits(i, end, 16);
  if (serial < 0 || digitsEnd - i > 15 || digitsEnd >= end || byte(digitsEnd) != 41 /* ) */) return -1;
  i = digitsEnd + 1;
  if (i < end && byte(i) == 58 /* : */) i++;
  store<f64>(header, <f64>sec);
  store<f64>(header, <f64>msec, 8);
  store<f64>(header, <f64>serial, 16);
  return i;
}

/** Every byte of input[start, end) is ASCII. */
function ascii(start: i32, end: i32): bool {
  let high: u64 = 0;
  let i = start;
  for (; i + 8 <= end; i += 8) high |= load<u64>(input + <usize>i);
  if (i < end) high |= low(load<u64>(input + <usize>i), end - i);
  return (high & 0x8080808080808080) == 0;
}

/** The prefix of a kernel line input[start, mark) (prefixOf in kernel-line.ts): its shape, -1 when unsure. */
function kernelShape(start: i32, mark: i32): i32 {
  if (mark == start) return DMESG;
  const c = byte(start);
  if (c >= 48 && c <= 57) {
    let semi = start;
    let comma = -1;
    for (; semi < mark && byte(semi) != 59 /* ; */; semi++) if (comma < 0 && byte(semi) == 44) comma = semi;
    // A `;` with no `,` before it: the string parser looks for a `,` further on (rare: let it).
    if (semi < mark && comma < 0) return -1;
    if (semi < mark) return KMSG;
  }
  let kernel = -1;
  for (let i = mark - 9; i > start; i--) {
    if (byte(i) == SPACE && bytesAt(i, mark, KERNEL_COLON, 8) && byte(i + 8) == SPACE) {
      kernel = i;
      break;
    }
  }
  if (kernel < 0) return DMESG;
  let hostStart = kernel - 1;
  while (hostStart >= start && byte(hostStart) != SPACE) hostStart--;
  hostStart++;
  if (hostStart < kernel) intern(-1, HOST, hostStart, kernel);
  return SYSLOG;
}

/**
 * A SECCOMP record line in input[start, end) in the shapes the kernel and auditd write it (as
 * byte-line.ts reads them): its shape, with header, host and the body's fields set as body()
 * sets them; -1 for any other line, or anything unusual, which byte-line.ts then reads itself.
 */
export function line(start: i32, end: i32): i32 {
  if (end - start > INPUT_SIZE) return -1;
  if (entries + MAX_KEYS + 1 > MAX_ENTRIES || arenaUsed + (end - start) + MAX_KEYS * 8 > ARENA_SIZE) forget();
  fills = 0;
  store<i32>(host, ABSENT);
  let shape: i32;
  let bodyStart: i32;
  const c = byte(start);
  if (
    (c == 116 /* t */ && bytesAt(start, end, TYPE_EQ, 5)) ||
    (c == 110 /* n */ && bytesAt(start, end, NODE_EQ, 5))
  ) {
    let i = start;
    if (c == 110) {
      let space = start + 5;
      while (space < end && byte(space) != SPACE && byte(space) < 0x80) space++;
      if (space >= end || byte(space) != SPACE) return -1;
      intern(-1, HOST, start + 5, space);
      i = space + 1;
    }
    if (!bytesAt(i, end, TYPE_EQ, 5) || !bytesAt(i + 5, end, SECCOMP_SP, 8)) return fail();
    // ` msg=audit(`
    if (!bytesAt(i + 12, end, MSG_AU, 7) || !bytesAt(i + 19, end, DIT_OPEN, 4)) return fail();
    bodyStart = stamp(i + 23, end);
    if (bodyStart < 0) return fail();
    shape = AUDITD;
  } else if (c == 123 /* { */) return -1;
  else {
    // The first `audit: type=`, every byte before it ASCII.
    let mark = -1;
    for (let i = start; i + 12 <= end; i++) {
      const b = byte(i);
      if (b >= 0x80) return fail();
      if (b == 97 /* a */ && bytesAt(i, end, AUDIT_T, 8) && bytesAt(i + 8, end, YPE_EQ, 4)) {
        mark = i;
        break;
      }
    }
    if (mark < 0) return fail();
    shape = kernelShape(start, mark);
    if (shape < 0) return fail();
    const type = digits(mark + 12, end, 6);
    if (type != 1326 || !bytesAt(digitsEnd, end, AUDIT_OPEN, 7)) return fail();
    bodyStart = stamp(digitsEnd + 7, end);
    if (bodyStart < 0) return fail();
  }
  const stop = readBody(bodyStart, end);
  if (stop < 0) return -1;
  if (shape == AUDITD) {
    // After 0x1D, auditd's interpreted fields: ASCII, or the string parser's.
    if (stop < end) {
      if (!ascii(stop + 1, end)) return fail();
      shape = ENRICHED;
    }
  } else if (stop != end) return fail();
  return shape;
}

// journald's JSON entries (scanMembers in byte-journald.ts): the names JS looks for, and where
// each one's value went (offsets from the values' start; -1: absent).
const MAX_NAMES = 8;
const nameText = memory.data(MAX_NAMES * 32, 16);
const nameLength = memory.data(MAX_NAMES * 4, 16);
const memberStart = memory.data(MAX_NAMES * 4, 16);
const memberEnd = memory.data(MAX_NAMES * 4, 16);
let names: i32 = 0;

export function nameTextPointer(): usize {
  return nameText;
}
export function nameLengthPointer(): usize {
  return nameLength;
}
export function memberStartPointer(): usize {
  return memberStart;
}
export function memberEndPointer(): usize {
  return memberEnd;
}

/** After JS has written nameText (32 bytes each) and nameLength for `count` names. */
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
  for (let k = 0; k < names; k++) {
    if (load<i32>(nameLength + ((<usize>k) << 2)) != n) continue;
    const name = nameText + ((<usize>k) << 5);
    let j = 0;
    for (; j + 8 <= n; j += 8) if (load<u64>(name + <usize>j) != load<u64>(input + <usize>(start + j))) break;
    if (
      j + 8 > n &&
      (j == n || low(load<u64>(name + <usize>j), n - j) == low(load<u64>(input + <usize>(start + j)), n - j))
    )
      return k;
  }
  return -1;
}

/**
 * The string members of the JSON object in input[start, end) (starting with `{`), values with
 * their escapes undone written from input[out] on: 1, or 0 where scanMembers gives false (an
 * escape other than \", \\ and \/, a control character or byte past ASCII, anything but a
 * flat object of strings). memberStart/memberEnd get the named members' values, the last of a
 * repeated name winning.
 */
export function journald(start: i32, end: i32, out: i32): i32 {
  for (let k = 0; k < names; k++) store<i32>(memberStart + ((<usize>k) << 2), -1);
  let n = out;
  let i = start + 1;
  for (;;) {
    if (i >= end || byte(i) != QUOTE) return 0;
    const keyStart = i + 1;
    let keyEnd = keyStart;
    for (;;) {
      const m = special(v128.load(input + <usize>keyEnd));
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
        const v = v128.load(input + <usize>at);
        v128.store(input + <usize>n, v);
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
      store<u8>(input + <usize>n, c);
      n++;
      at++;
    }
    const k = nameIndex(keyStart, keyEnd);
    if (k >= 0) {
      store<i32>(memberStart + ((<usize>k) << 2), valueStart - out);
      store<i32>(memberEnd + ((<usize>k) << 2), n - out);
    }
    const next = at + 1;
    if (next < end && byte(next) == 44 /* , */) i = next + 1;
    else return next + 1 == end && byte(next) == 125 /* } */ ? 1 : 0;
  }
  return 0;
}

// JSON strings (putLongString in seccomp-event-json.ts): ASCII text JS writes to jsonIn, written
// as JSON.stringify writes it to jsonOut.
export const JSON_MAX: i32 = 16384;
const jsonIn = memory.data(JSON_MAX + 16, 16);
const jsonOut = memory.data(JSON_MAX * 6 + 32, 16);

export function jsonInPointer(): usize {
  return jsonIn;
}
export function jsonOutPointer(): usize {
  return jsonOut;
}

/**
 * jsonIn[0, n) (ASCII, n <= JSON_MAX) as a JSON string, quotes and all, into jsonOut: `"` and
 * `\\` escaped, \b \t \n \f \r as such, other control characters as \u00xx. Returns its length.
 */
export function jsonString(n: i32): i32 {
  const quote = i8x16.splat(34);
  const backslash = i8x16.splat(92);
  const space = i8x16.splat(32);
  store<u8>(jsonOut, 34);
  let o = 1;
  let i = 0;
  while (i < n) {
    // Sixteen bytes at a time, written whole; the counts move up to the first to escape.
    const v = v128.load(jsonIn + <usize>i);
    v128.store(jsonOut + <usize>o, v);
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
    o += k;
    if (i >= n) break;
    const c = load<u8>(jsonIn + <usize>i);
    i++;
    store<u8>(jsonOut + <usize>o, 92);
    let e: u32 = 0;
    if (c == 34 || c == 92) e = c;
    else if (c == 8) e = 98;
    else if (c == 9) e = 116;
    else if (c == 10) e = 110;
    else if (c == 12) e = 102;
    else if (c == 13) e = 114;
    if (e != 0) {
      store<u8>(jsonOut + <usize>(o + 1), e);
      o += 2;
    } else {
      store<u8>(jsonOut + <usize>(o + 1), 117); /* u */
      store<u8>(jsonOut + <usize>(o + 2), 48);
      store<u8>(jsonOut + <usize>(o + 3), 48);
      const hi = c >> 4;
      const lo = c & 15;
      store<u8>(jsonOut + <usize>(o + 4), hi < 10 ? 48 + hi : 87 + hi);
      store<u8>(jsonOut + <usize>(o + 5), lo < 10 ? 48 + lo : 87 + lo);
      o += 6;
    }
  }
  store<u8>(jsonOut + <usize>o, 34);
  return o + 1;
}
