/**
 * Strings out of ASCII bytes for the byte parser: a slice, or the one string already made for
 * the same bytes. Callers check that the bytes are ASCII (then latin1 and UTF-8 agree).
 */

// Buffer's own slicers without toString's argument handling; they take any Uint8Array.
type Slicer = (this: Uint8Array, start: number, end: number) => string;
const slicers = Buffer.prototype as unknown as { latin1Slice: Slicer; utf8Slice: Slicer };
const latin1Slice = slicers.latin1Slice;
const utf8Slice = slicers.utf8Slice;

/** The bytes of an ASCII constant. */
export function asciiBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** bytes[start, end) as a string, the bytes being ASCII. */
export function asciiText(bytes: Uint8Array, start: number, end: number): string {
  return latin1Slice.call(bytes, start, end);
}

/** bytes[start, end) decoded as UTF-8 (what Buffer.toString('utf8') gives). */
export function utf8Text(bytes: Uint8Array, start: number, end: number): string {
  return utf8Slice.call(bytes, start, end);
}

// DataViews over the arrays last read, two of them (the lines' and journald's unescaped
// MESSAGE): getInt32 reads four bytes in one load where four indexed reads and shifts were.
// The two arrays stay referenced until others are read.
let viewA: DataView = new DataView(new ArrayBuffer(0));
let viewABytes: Uint8Array | undefined;
let viewB: DataView = viewA;
let viewBBytes: Uint8Array | undefined;

/** A DataView over exactly the bytes of `bytes`. */
export function viewOf(bytes: Uint8Array): DataView {
  if (bytes === viewABytes) return viewA;
  if (bytes === viewBBytes) {
    // The one used last first.
    const view = viewB;
    viewB = viewA;
    viewBBytes = viewABytes;
    viewA = view;
    viewABytes = bytes;
    return view;
  }
  viewB = viewA;
  viewBBytes = viewABytes;
  viewA = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  viewABytes = bytes;
  return viewA;
}

/** The little-endian word of bytes[i, i + 4), the bytes at and past `end` read as 0. */
function wordAt(view: DataView, bytes: Uint8Array, i: number, end: number): number {
  if (i + 4 <= end) return view.getInt32(i, true);
  let w = 0;
  for (let k = end - 1; k >= i; k--) w = (w << 8) | bytes[k];
  return w;
}

/**
 * A hash of the words of bytes[start, end) (wordAt): all of a value up to 32 bytes, of a longer
 * one eight words spread over it and its last full word (values of one field differ there:
 * paths in their last characters). The compare that follows reads them all anyway.
 */
function wordHash(view: DataView, bytes: Uint8Array, start: number, end: number): number {
  const n = end - start;
  let h = Math.imul(n, 0x9e3779b1);
  if (n <= 32)
    for (let i = start; i < end; i += 4) h = Math.imul(h ^ wordAt(view, bytes, i, end), 0x01000193);
  else {
    const step = (n >> 3) & ~3;
    for (let i = start; i + 4 <= end; i += step) h = Math.imul(h ^ view.getInt32(i, true), 0x01000193);
    h = Math.imul(h ^ view.getInt32(end - 4, true), 0x01000193);
  }
  // Every bit into the low ones (the slot).
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return h ^ (h >>> 13);
}

/**
 * Strings by the bytes they were made from, so that a value seen before (comm, exe, subj, host,
 * arch, code ...) costs a hash and a compare instead of an allocation. Direct-mapped on the
 * hash, two ways. The keys are kept in one pool of words (wordAt: compared four bytes at a
 * time); when it is full, everything is forgotten.
 */
export class ByteInterner {
  // Per slot: where its key's words start in the pool (-1: empty) and its length in bytes.
  private readonly at: Int32Array;
  private readonly length: Int32Array;
  private readonly values: string[];
  // Per pair of slots, which of the two was hit last.
  private readonly last: Uint8Array;
  private readonly pool: Int32Array;
  private used = 0;
  private readonly mask: number;

  constructor(
    slots: number,
    private readonly maxBytes = 128,
  ) {
    this.at = new Int32Array(slots).fill(-1);
    this.length = new Int32Array(slots);
    this.values = new Array<string>(slots).fill('');
    this.last = new Uint8Array(slots >> 1);
    this.pool = new Int32Array(slots * 16);
    this.mask = slots - 1;
  }

  /** The slot holding bytes[start, end), or -1 (then `miss` is the slot to fill). */
  private find(view: DataView, bytes: Uint8Array, start: number, end: number): number {
    const home = wordHash(view, bytes, start, end) & this.mask;
    // Two ways: the home slot and its neighbour; a miss fills an empty one, else the other of
    // the one hit last.
    if (this.holds(home, view, bytes, start, end)) {
      this.last[home >> 1] = home & 1;
      return home;
    }
    const other = home ^ 1;
    if (this.holds(other, view, bytes, start, end)) {
      this.last[home >> 1] = other & 1;
      return other;
    }
    this.miss =
      this.at[home] < 0 ? home : this.at[other] < 0 ? other : (home & ~1) | (this.last[home >> 1] ^ 1);
    return -1;
  }
  private miss = 0;

  private holds(slot: number, view: DataView, bytes: Uint8Array, start: number, end: number): boolean {
    const at = this.at[slot];
    if (at < 0 || this.length[slot] !== end - start) return false;
    const pool = this.pool;
    for (let i = start, k = at; i < end; i += 4, k++)
      if (pool[k] !== wordAt(view, bytes, i, end)) return false;
    return true;
  }

  /** Keeps `value` for ASCII bytes[start, end) in the slot find() missed. */
  private keep(view: DataView, bytes: Uint8Array, start: number, end: number, value: string): void {
    const n = end - start;
    if (n > this.maxBytes) return;
    const words = (n + 3) >> 2;
    if (this.used + words > this.pool.length) {
      this.at.fill(-1);
      this.used = 0;
    }
    const pool = this.pool;
    const at = this.used;
    for (let i = start, k = at; i < end; i += 4, k++) pool[k] = wordAt(view, bytes, i, end);
    this.used += words;
    this.at[this.miss] = at;
    this.length[this.miss] = n;
    this.values[this.miss] = value;
  }

  /** The string of ASCII bytes[start, end) itself. */
  text(bytes: Uint8Array, start: number, end: number): string {
    const view = viewOf(bytes);
    const slot = this.find(view, bytes, start, end);
    if (slot >= 0) return this.values[slot];
    const text = asciiText(bytes, start, end);
    this.keep(view, bytes, start, end, text);
    return text;
  }
}
