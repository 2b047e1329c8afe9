// What every part of the byte reader's module shares: the input and its layout, and reading it.
// The module (index.ts) is built into src/record/byte-reader-wasm.generated.ts by
// `node libs/audit/scripts/build-wasm.mjs`; byte-body.ts is its JS side.

export const SPACE: u32 = 32;
export const QUOTE: u32 = 34;
export const GS: u32 = 0x1d;

// The input, in three parts: the window lines are copied into (read where they are), journald's
// unescaped values, and where any other bytes are copied to be read.
export const INPUT_SIZE: i32 = 1 << 20;
export const WINDOW_SIZE: i32 = INPUT_SIZE >> 1;
export const VALUES_AT: i32 = WINDOW_SIZE;
export const VALUES_SIZE: i32 = INPUT_SIZE >> 2;
export const COPY_AT: i32 = VALUES_AT + VALUES_SIZE;
// The bytes, with room for 16-byte loads past the end.
export const INPUT = memory.data(INPUT_SIZE + 16, 16);

export function byte(i: i32): u32 {
  return load<u8>(INPUT + <usize>i);
}

/** The low `n` (<= 8) bytes of a word. */
export function low(w: u64, n: i32): u64 {
  // A shift by 64 is a shift by 0 in WebAssembly.
  return n >= 8 ? w : w & (((<u64>1) << (<u64>n * 8)) - 1);
}

/** The `n` bytes at `a` and at `b` are the same (read eight at a time). */
export function sameBytes(a: usize, b: usize, n: i32): bool {
  let j = 0;
  for (; j + 8 <= n; j += 8) if (load<u64>(a + <usize>j) != load<u64>(b + <usize>j)) return false;
  return j == n || low(load<u64>(a + <usize>j), n - j) == low(load<u64>(b + <usize>j), n - j);
}

/** input[i, i + n) (n <= 8, before `end`) is the text whose little-endian word is `word`. */
export function bytesAt(i: i32, end: i32, word: u64, n: i32): bool {
  return i + n <= end && low(load<u64>(INPUT + <usize>i), n) == word;
}
