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

/**
 * Strings by the bytes they were made from, so that a value seen before (comm, exe, subj, host,
 * arch, code ...) costs a hash and a compare instead of an allocation. Direct-mapped on the
 * hash: a clash replaces the slot. The key bytes are kept in one pool (compared byte to byte,
 * faster than against the string); when it is full, everything is forgotten. What `make`
 * returns for some bytes must depend on the bytes only (the value may be their decoding).
 */
export class ByteInterner {
  private readonly at: Int32Array;
  private readonly length: Int32Array;
  private readonly values: string[];
  private readonly pool: Uint8Array;
  private used = 0;
  private readonly mask: number;

  constructor(
    slots: number,
    private readonly maxBytes = 128,
  ) {
    this.at = new Int32Array(slots).fill(-1);
    this.length = new Int32Array(slots);
    this.values = new Array<string>(slots).fill('');
    this.pool = new Uint8Array(slots * 64);
    this.mask = slots - 1;
  }

  /** The slot holding bytes[start, end), or -1 (then `miss` is the slot to fill). */
  private find(bytes: Uint8Array, start: number, end: number): number {
    const slot = sampleHash(bytes, start, end) & this.mask;
    this.miss = slot;
    const at = this.at[slot];
    const n = end - start;
    if (at < 0 || this.length[slot] !== n) return -1;
    const pool = this.pool;
    for (let k = 0; k < n; k++) if (pool[at + k] !== bytes[start + k]) return -1;
    return slot;
  }
  private miss = 0;

  /** Keeps `value` for ASCII bytes[start, end) in the slot find() missed. */
  private keep(bytes: Uint8Array, start: number, end: number, value: string): void {
    const n = end - start;
    if (n > this.maxBytes) return;
    if (this.used + n > this.pool.length) {
      this.at.fill(-1);
      this.used = 0;
    }
    const pool = this.pool;
    const at = this.used;
    for (let k = 0; k < n; k++) pool[at + k] = bytes[start + k];
    this.used += n;
    this.at[this.miss] = at;
    this.length[this.miss] = n;
    this.values[this.miss] = value;
  }

  /** The string of ASCII bytes[start, end) itself. */
  text(bytes: Uint8Array, start: number, end: number): string {
    const slot = this.find(bytes, start, end);
    if (slot >= 0) return this.values[slot];
    const text = asciiText(bytes, start, end);
    this.keep(bytes, start, end, text);
    return text;
  }

  /** The string of bytes[start, end) itself, or undefined when they are not all ASCII. */
  asciiText(bytes: Uint8Array, start: number, end: number): string | undefined {
    // Kept keys are ASCII, so bytes equal to one are too.
    const slot = this.find(bytes, start, end);
    if (slot >= 0) return this.values[slot];
    let high = 0;
    for (let i = start; i < end; i++) high |= bytes[i];
    if (high >= 0x80) return undefined;
    const text = asciiText(bytes, start, end);
    this.keep(bytes, start, end, text);
    return text;
  }

  /** make(ASCII bytes[start, end)), remembered by the bytes. */
  decoded(bytes: Uint8Array, start: number, end: number, make: (key: string) => string): string {
    const slot = this.find(bytes, start, end);
    if (slot >= 0) return this.values[slot];
    const value = make(asciiText(bytes, start, end));
    this.keep(bytes, start, end, value);
    return value;
  }
}
