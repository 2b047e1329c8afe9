/**
 * Strings out of ASCII bytes for the byte parser: a slice, or the one string already made for
 * the same bytes. Callers check that the bytes are ASCII (then latin1 and UTF-8 agree).
 */

// Buffer's own slicers without toString's argument handling; they take any Uint8Array.
type Slicer = (this: Uint8Array, start: number, end: number) => string;
const slicers = Buffer.prototype as unknown as { latin1Slice: Slicer; utf8Slice: Slicer };
const latin1Slice = slicers.latin1Slice;
const utf8Slice = slicers.utf8Slice;

/** bytes[start, end) as a string, the bytes being ASCII. */
export function asciiText(bytes: Uint8Array, start: number, end: number): string {
  return latin1Slice.call(bytes, start, end);
}

/** bytes[start, end) decoded as UTF-8 (what Buffer.toString('utf8') gives). */
export function utf8Text(bytes: Uint8Array, start: number, end: number): string {
  return utf8Slice.call(bytes, start, end);
}

/**
 * A hash of bytes[start, end) from its length and four of its bytes (first, middle, last two):
 * values of one field differ there (paths in their last characters), and the compare that
 * follows reads them all anyway.
 */
export function sampleHash(bytes: Uint8Array, start: number, end: number): number {
  const n = end - start;
  if (n === 0) return 0;
  const sample =
    bytes[start] |
    (bytes[start + (n >> 1)] << 8) |
    (bytes[end - 1] << 16) |
    (bytes[n > 1 ? end - 2 : start] << 24);
  const h = Math.imul(sample ^ Math.imul(n, 0x9e3779b1), 0x85ebca6b);
  return h ^ (h >>> 15);
}

/** True when `text` has exactly the char codes of bytes[start, end). */
function sameText(text: string, bytes: Uint8Array, start: number, end: number): boolean {
  if (text.length !== end - start) return false;
  for (let i = start, k = 0; i < end; i++, k++) if (text.charCodeAt(k) !== bytes[i]) return false;
  return true;
}

/**
 * Strings by the bytes they were made from, so that a value seen before (comm, exe, subj, host,
 * arch, code ...) costs a hash and a compare instead of an allocation. Direct-mapped on the
 * hash: a clash replaces the slot. What `make` returns for some bytes must depend on the bytes
 * only (the key is the bytes, the value may be their decoding).
 */
export class ByteInterner {
  private readonly keys: (string | undefined)[];
  private readonly values: string[];
  private readonly mask: number;

  constructor(
    slots: number,
    private readonly maxBytes = 128,
  ) {
    this.keys = new Array<string | undefined>(slots).fill(undefined);
    this.values = new Array<string>(slots).fill('');
    this.mask = slots - 1;
  }

  /** The string of ASCII bytes[start, end) itself. */
  text(bytes: Uint8Array, start: number, end: number): string {
    if (end - start > this.maxBytes) return asciiText(bytes, start, end);
    const slot = sampleHash(bytes, start, end) & this.mask;
    const key = this.keys[slot];
    if (key !== undefined && sameText(key, bytes, start, end)) return key;
    const text = asciiText(bytes, start, end);
    this.keys[slot] = text;
    this.values[slot] = text;
    return text;
  }

  /** The string of bytes[start, end) itself, or undefined when they are not all ASCII. */
  asciiText(bytes: Uint8Array, start: number, end: number): string | undefined {
    const slot = sampleHash(bytes, start, end) & this.mask;
    const key = this.keys[slot];
    // A kept key is ASCII, so bytes equal to it are too.
    if (key !== undefined && sameText(key, bytes, start, end)) return key;
    let high = 0;
    for (let i = start; i < end; i++) high |= bytes[i];
    if (high >= 0x80) return undefined;
    const text = asciiText(bytes, start, end);
    if (end - start <= this.maxBytes) {
      this.keys[slot] = text;
      this.values[slot] = text;
    }
    return text;
  }

  /** make(ASCII bytes[start, end)), remembered by the bytes. */
  decoded(bytes: Uint8Array, start: number, end: number, make: (key: string) => string): string {
    if (end - start > this.maxBytes) return make(asciiText(bytes, start, end));
    const slot = sampleHash(bytes, start, end) & this.mask;
    const key = this.keys[slot];
    if (key !== undefined && sameText(key, bytes, start, end)) return this.values[slot];
    const text = asciiText(bytes, start, end);
    const value = make(text);
    this.keys[slot] = text;
    this.values[slot] = value;
    return value;
  }
}
