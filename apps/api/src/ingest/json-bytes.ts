/** The bytes of JSON text the byte scanner (event-scanner.ts) and its row writer (scanned-row.ts) look for. */

export const TAB = 0x09;
export const LF = 0x0a;
export const CR = 0x0d;
export const SPACE = 0x20;
export const QUOTE = 0x22;
export const COMMA = 0x2c;
export const MINUS = 0x2d;
export const ZERO = 0x30;
export const NINE = 0x39;
export const COLON = 0x3a;
export const OPEN_BRACKET = 0x5b;
export const BACKSLASH = 0x5c;
export const CLOSE_BRACKET = 0x5d;
export const LOWER_U = 0x75;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;

/**
 * Whether none of a JSON string's four bytes in `w` (any order) ends it or needs a look: a quote,
 * a backslash, a control character or a byte past ASCII. Each term is the usual test for a byte
 * of the word being zero (or below 0x20), exact for whether any is.
 */
export function plainWord(w: number): boolean {
  const quote = w ^ 0x22222222;
  const backslash = w ^ 0x5c5c5c5c;
  return (
    ((w |
      ((w - 0x20202020) & ~w) |
      ((quote - 0x01010101) & ~quote) |
      ((backslash - 0x01010101) & ~backslash)) &
      0x80808080) ===
    0
  );
}
