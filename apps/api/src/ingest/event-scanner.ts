import {
  EVENT_ACTIONS,
  EVENT_KINDS,
  EVENT_SOURCES,
  isBlockingAction,
  parseIsoTimestamp,
} from '@sandtrap/events';
import { formatObservedAt, parseObservedAt } from './observed-at.js';
import {
  EVENT_KEY,
  OBSERVED_AT,
  SOURCE,
  KIND,
  ACTION,
  BLOCKED,
  SLOTS,
  ABSENT,
  PLAIN,
  ESCAPED,
  NUMBER,
  TRUE,
  FALSE,
  JSON_TEXT,
  STRING,
  INTEGER,
  BOOLEAN,
  OBJECT,
  KeySpec,
  ascii,
  EVENT_KEYS,
  REQUIRED_SLOTS,
  lookupKey,
  EVENT_INDEX,
} from './event-keys.js';
import { giveBackCopyBuffers, takeCopyBuffer } from './copy-buffers.js';
import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  CR,
  LOWER_U,
  MINUS,
  NINE,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
  SPACE,
  TAB,
  ZERO,
  plainWord,
} from './json-bytes.js';
import { scannedRowBytes, writeScannedRow } from './scanned-row.js';
import { shapeOf, type ScannedSlots } from './scanned-shapes.js';
import { ScannedEvent } from './scanned-event.js';

/**
 * The fast path of `POST /v1/ingest/events`: reads one NDJSON line as bytes, once, without
 * JSON.parse, and writes its `violations` COPY row straight from them. It accepts only lines it
 * reads completely and that the validator and the service would accept (ASCII, known keys once
 * each, the canonical time `YYYY-MM-DDTHH:MM:SS.ffffffZ`, plain integers, `details` already in
 * JSON.stringify's spelling, ...); every other line (`undefined`) goes the ordinary way
 * (JSON.parse, validateSecurityEvent), which gives the same errors and rows as before. What is
 * kept per event is small: its key, time, host, COPY text, and a EventShape shared by all the
 * events of the same shape (what listeners and rollups read). The whole event is built again
 * from the line only when needed (the deduplicating path, new hosts).
 */

/** Bounds on `details` read here (the validator allows more; deeper or larger goes the ordinary way). */
const DETAILS_MAX_DEPTH = 8;
const DETAILS_MAX_NODES = 1000;
const DETAILS_STRING_MAX = 16384;
/** JSON.stringify writes every number up to here as its digits. */
const DETAILS_MAX_DIGITS = 15;

/** The enum value among `allowed` whose bytes are b[start, end), or -1. */
function enumIndex(b: Buffer, start: number, end: number, allowed: readonly Uint8Array[]): number {
  outer: for (let k = 0; k < allowed.length; k++) {
    const name = allowed[k];
    if (name.length !== end - start) continue;
    for (let i = 0; i < name.length; i++) if (b[start + i] !== name[i]) continue outer;
    return k;
  }
  return -1;
}

const SOURCE_BYTES = EVENT_SOURCES.map(ascii);
const KIND_BYTES = EVENT_KINDS.map(ascii);
const ACTION_BYTES = EVENT_ACTIONS.map(ascii);

/** The second (19 bytes, `YYYY-MM-DDTHH:MM:SS`) of the last time read, and its microseconds. */
const lastSecond = new Uint8Array(19);
let lastSecondMicros = -1;

/**
 * Reads the lines of one request body. Not for bodies with more lines than a request may hold
 * (the ordinary path counts those first).
 */
export class EventScanner implements ScannedSlots {
  readonly kind = new Uint8Array(SLOTS);
  readonly start = new Int32Array(SLOTS);
  readonly end = new Int32Array(SLOTS);
  readonly value = new Float64Array(SLOTS);
  private i = 0;
  private lineEnd = 0;
  private detailsNodes = 0;
  private copy: Buffer;
  private at = 0;
  /** The buffers this scanner wrote rows into. */
  private readonly buffers: Buffer[] = [];
  /** Whether the current object's sub-objects were given (the validator keeps `{}` as `{}`). */
  given = 0;

  /** The body's bytes as words (readString). */
  private readonly view: DataView;

  constructor(readonly b: Buffer) {
    this.view = new DataView(b.buffer, b.byteOffset, b.length);
    this.copy = Buffer.alloc(0); // allocated at the first row (see room)
  }

  /** The event on b[start, end) (a line without its line feed or CR), or undefined. */
  scan(start: number, end: number): ScannedEvent | undefined {
    this.kind.fill(ABSENT);
    this.given = 0;
    this.i = start;
    this.lineEnd = end;
    this.skipSpace();
    if (!this.readObject(EVENT_KEYS, EVENT_INDEX, true)) return undefined;
    this.skipSpace();
    if (this.i !== end) return undefined;
    return this.finish(start, end);
  }

  private skipSpace(): void {
    const b = this.b;
    while (this.i < this.lineEnd) {
      const c = b[this.i];
      if (c !== SPACE && c !== TAB && c !== CR) break;
      this.i++;
    }
  }

  /** `{ ... }` with the keys of `keys`, each at most once; false when anything else. */
  private readObject(keys: KeySpec[], index: Uint8Array, top: boolean): boolean {
    const b = this.b;
    if (this.i >= this.lineEnd || b[this.i] !== OPEN_BRACE) return false;
    this.i++;
    this.skipSpace();
    if (this.i < this.lineEnd && b[this.i] === CLOSE_BRACE) {
      this.i++;
      return true;
    }
    let seen = 0;
    for (;;) {
      if (this.i >= this.lineEnd || b[this.i] !== QUOTE) return false;
      const nameStart = this.i + 1;
      let nameEnd = nameStart;
      while (nameEnd < this.lineEnd && b[nameEnd] !== QUOTE) nameEnd++;
      if (nameEnd >= this.lineEnd || nameEnd === nameStart) return false;
      this.i = nameEnd + 1;
      // The only key that can be this one (by its slot in the table's index), then all its bytes.
      const k = index[lookupKey(nameEnd - nameStart, b[nameStart], b[nameEnd - 1])] - 1;
      if (k < 0 || (seen & (1 << k)) !== 0) return false; // unknown key or repeated
      const name = keys[k].name;
      if (name.length !== nameEnd - nameStart) return false;
      for (let j = 0; j < name.length; j++) if (b[nameStart + j] !== name[j]) return false;
      seen |= 1 << k;
      this.skipSpace();
      if (this.i >= this.lineEnd || b[this.i] !== COLON) return false;
      this.i++;
      this.skipSpace();
      if (!this.readValue(keys[k], top ? k : -1)) return false;
      this.skipSpace();
      if (this.i >= this.lineEnd) return false;
      const c = b[this.i++];
      if (c === CLOSE_BRACE) return true;
      if (c !== COMMA) return false;
      this.skipSpace();
    }
  }

  private readLiteral(text: string): boolean {
    const b = this.b;
    if (this.i + text.length > this.lineEnd) return false;
    for (let j = 0; j < text.length; j++) if (b[this.i + j] !== text.charCodeAt(j)) return false;
    this.i += text.length;
    return true;
  }

  private readValue(spec: KeySpec, topIndex: number): boolean {
    const b = this.b;
    if (this.i >= this.lineEnd) return false;
    const c = b[this.i];
    // null is "not given" for every field (a required one is then missing, see finish).
    if (c === 0x6e) return this.readLiteral('null');
    switch (spec.type) {
      case STRING:
        return this.readString(spec);
      case INTEGER:
        return this.readInteger(spec);
      case BOOLEAN:
        if (c === 0x74 && this.readLiteral('true')) this.kind[spec.slot] = TRUE;
        else if (c === 0x66 && this.readLiteral('false')) this.kind[spec.slot] = FALSE;
        else return false;
        return true;
      case OBJECT:
        this.given |= 1 << topIndex;
        return this.readObject(spec.keys!, spec.index!, false);
      default: {
        const start = this.i;
        this.detailsNodes = 0;
        if (c !== OPEN_BRACE || !this.readCanonical(0)) return false;
        this.kind[spec.slot] = JSON_TEXT;
        this.start[spec.slot] = start;
        this.end[spec.slot] = this.i;
        return true;
      }
    }
  }

  /** A string value: only printable ASCII and the escapes \" \\ \/ \b \f \n \r \t. */
  private readString(spec: KeySpec): boolean {
    const b = this.b;
    if (b[this.i] !== QUOTE) return false;
    const start = this.i + 1;
    const lineEnd = this.lineEnd;
    let i = start;
    let escapes = 0;
    // Four bytes at a time while none of them needs a look (see plainWord).
    const view = this.view;
    while (i + 4 <= lineEnd && plainWord(view.getUint32(i, true))) i += 4;
    for (; i < lineEnd; i++) {
      const c = b[i];
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        this.i = i;
        if (!this.readEscape(false)) return false;
        escapes++;
        i++;
      } else if (c < SPACE || c >= 0x80) return false;
    }
    const length = i - start - escapes;
    if (i >= lineEnd || length < spec.min || length > spec.max) return false;
    this.kind[spec.slot] = escapes > 0 ? ESCAPED : PLAIN;
    this.start[spec.slot] = start;
    this.end[spec.slot] = i;
    this.i = i + 1;
    return true;
  }

  /**
   * Steps over one escape at b[i]. Never \u (the ordinary path refuses the text `\u0000`
   * anywhere in a line, so `\\u` is left to it too); in details, not \/ (JSON.stringify writes /).
   */
  private readEscape(details: boolean): boolean {
    const b = this.b;
    if (this.i + 1 >= this.lineEnd) return false;
    const e = b[this.i + 1];
    switch (e) {
      case BACKSLASH:
        if (this.i + 2 < this.lineEnd && b[this.i + 2] === LOWER_U) return false;
        break;
      case 0x2f: // /
        if (details) return false;
        break;
      case QUOTE:
      case 0x62: // b
      case 0x66: // f
      case 0x6e: // n
      case 0x72: // r
      case 0x74: // t
        break;
      default:
        return false;
    }
    this.i += 2;
    return true;
  }

  /** Digits of an integer in [0, spec.max], no sign, fraction or exponent. */
  private readInteger(spec: KeySpec): boolean {
    const b = this.b;
    const start = this.i;
    let value = 0;
    while (this.i < this.lineEnd) {
      const c = b[this.i];
      if (c < ZERO || c > NINE) break;
      value = value * 10 + (c - ZERO);
      this.i++;
      if (this.i - start > 10) return false;
    }
    const digits = this.i - start;
    if (digits === 0 || (digits > 1 && b[start] === ZERO) || value > spec.max) return false;
    if (this.i < this.lineEnd) {
      const c = b[this.i];
      if (c === 0x2e || c === 0x65 || c === 0x45) return false; // . e E
    }
    this.kind[spec.slot] = NUMBER;
    this.start[spec.slot] = start;
    this.end[spec.slot] = this.i;
    this.value[spec.slot] = value;
    return true;
  }

  /**
   * A JSON value spelt exactly as JSON.stringify(JSON.parse(it)) would spell it: no spaces, no
   * repeated keys, no keys that are integers (JSON.parse would put them first), integers only.
   */
  private readCanonical(depth: number): boolean {
    const b = this.b;
    if (this.i >= this.lineEnd || ++this.detailsNodes > DETAILS_MAX_NODES) return false;
    const c = b[this.i];
    if (c === QUOTE) return this.readCanonicalString() >= 0;
    if (c === 0x74) return this.readLiteral('true');
    if (c === 0x66) return this.readLiteral('false');
    if (c === 0x6e) return this.readLiteral('null');
    if (c === MINUS || (c >= ZERO && c <= NINE)) return this.readCanonicalNumber();
    if (depth >= DETAILS_MAX_DEPTH) return false;
    if (c === OPEN_BRACKET) {
      this.i++;
      if (this.i < this.lineEnd && b[this.i] === CLOSE_BRACKET) {
        this.i++;
        return true;
      }
      for (;;) {
        if (!this.readCanonical(depth + 1)) return false;
        if (this.i >= this.lineEnd) return false;
        const next = b[this.i++];
        if (next === CLOSE_BRACKET) return true;
        if (next !== COMMA) return false;
      }
    }
    if (c !== OPEN_BRACE) return false;
    this.i++;
    if (this.i < this.lineEnd && b[this.i] === CLOSE_BRACE) {
      this.i++;
      return true;
    }
    const keys: number[] = [];
    for (;;) {
      if (this.i >= this.lineEnd || b[this.i] !== QUOTE) return false;
      const keyStart = this.i + 1;
      if (this.readCanonicalString() < 0) return false;
      const keyEnd = this.i - 1;
      const first = b[keyStart];
      if (keyEnd > keyStart && first >= ZERO && first <= NINE) return false;
      for (let k = 0; k < keys.length; k += 2) {
        if (keys[k + 1] - keys[k] !== keyEnd - keyStart) continue;
        if (b.compare(b, keys[k], keys[k + 1], keyStart, keyEnd) === 0) return false;
      }
      keys.push(keyStart, keyEnd);
      if (this.i >= this.lineEnd || b[this.i] !== COLON) return false;
      this.i++;
      if (!this.readCanonical(depth + 1)) return false;
      if (this.i >= this.lineEnd) return false;
      const next = b[this.i++];
      if (next === CLOSE_BRACE) return true;
      if (next !== COMMA) return false;
    }
  }

  /** Its length in characters, or -1. */
  private readCanonicalString(): number {
    const b = this.b;
    this.i++;
    let length = 0;
    while (this.i < this.lineEnd) {
      const c = b[this.i];
      if (c === QUOTE) {
        this.i++;
        return length > DETAILS_STRING_MAX ? -1 : length;
      }
      if (c === BACKSLASH) {
        if (!this.readEscape(true)) return -1;
      } else if (c < SPACE || c >= 0x80) return -1;
      else this.i++;
      length++;
    }
    return -1;
  }

  private readCanonicalNumber(): boolean {
    const b = this.b;
    if (b[this.i] === MINUS) this.i++;
    const start = this.i;
    while (this.i < this.lineEnd && b[this.i] >= ZERO && b[this.i] <= NINE) this.i++;
    const digits = this.i - start;
    if (digits === 0 || digits > DETAILS_MAX_DIGITS || (b[start] === ZERO && digits > 1)) return false;
    if (b[start] === ZERO && start > 0 && b[start - 1] === MINUS) return false; // -0 becomes 0
    if (this.i < this.lineEnd) {
      const c = b[this.i];
      if (c === 0x2e || c === 0x65 || c === 0x45) return false;
    }
    return true;
  }

  /** The checks left once the line is read, then its COPY row and its shape. */
  private finish(lineStart: number, lineEnd: number): ScannedEvent | undefined {
    const { kind, start, end, b } = this;
    for (const slot of REQUIRED_SLOTS) if (kind[slot] === ABSENT) return undefined;
    if (
      kind[OBSERVED_AT] !== PLAIN ||
      kind[SOURCE] !== PLAIN ||
      kind[KIND] !== PLAIN ||
      kind[ACTION] !== PLAIN
    )
      return undefined;
    const source = enumIndex(b, start[SOURCE], end[SOURCE], SOURCE_BYTES);
    const action = enumIndex(b, start[ACTION], end[ACTION], ACTION_BYTES);
    if (source < 0 || action < 0 || enumIndex(b, start[KIND], end[KIND], KIND_BYTES) < 0) return undefined;
    const blocking = isBlockingAction(EVENT_ACTIONS[action]);
    if (kind[BLOCKED] !== ABSENT && (kind[BLOCKED] === TRUE) !== blocking) return undefined;
    const micros = this.micros(start[OBSERVED_AT]);
    if (micros === undefined) return undefined;

    const copyStart = this.writeRow(lineEnd - lineStart, blocking, micros);
    const summary = shapeOf(this, EVENT_SOURCES[source], EVENT_ACTIONS[action], blocking);
    return new ScannedEvent(
      summary.host,
      start[EVENT_KEY],
      end[EVENT_KEY],
      kind[EVENT_KEY] === ESCAPED,
      micros,
      summary,
      this.copy,
      copyStart,
      this.at,
      b,
      lineStart,
      lineEnd,
    );
  }

  /**
   * Microseconds of the canonical time at b[at, at + 27): of a second read before straight from
   * the digits, else as the validator and the service read it, which must both give the very text.
   */
  private micros(at: number): number | undefined {
    const b = this.b;
    if (b[at + 19] !== 0x2e || b[at + 26] !== 0x5a) return undefined; // . Z
    let fraction = 0;
    for (let j = at + 20; j < at + 26; j++) {
      const d = b[j] - ZERO;
      if (d < 0 || d > 9) return undefined;
      fraction = fraction * 10 + d;
    }
    let same = lastSecondMicros >= 0;
    for (let j = 0; same && j < 19; j++) same = b[at + j] === lastSecond[j];
    if (same) return lastSecondMicros + fraction;
    const text = b.toString('latin1', at, at + 27);
    const time = parseIsoTimestamp(text);
    const micros = parseObservedAt(text);
    if (time === undefined || time.iso !== text || micros === undefined) return undefined;
    if (formatObservedAt(micros) !== text) return undefined;
    for (let j = 0; j < 19; j++) lastSecond[j] = b[at + j];
    lastSecondMicros = micros - fraction;
    return micros;
  }

  /** Room for `n` more bytes of COPY data: a row never spans two buffers. */
  private room(n: number): void {
    if (this.at + n <= this.copy.length) return;
    // The first buffer the size of the body: a row of COPY data is mostly shorter than its line.
    const size = Math.max(this.copy.length === 0 ? this.b.length : this.copy.length, n, 64 * 1024);
    this.copy = takeCopyBuffer(size);
    this.buffers.push(this.copy);
    this.at = 0;
  }

  /**
   * Gives this body's buffers of COPY data to the next requests: only once nothing reads or
   * sends them any more (the batch is written and answered; never after a failed write, whose
   * bytes may still be queued on a connection). Its ScannedEvents must not be used after.
   */
  release(): void {
    giveBackCopyBuffers(this.buffers);
    this.buffers.length = 0;
    this.copy = Buffer.alloc(0);
  }

  /** The row into this.copy (scanned-row.ts); answers where it starts. */
  private writeRow(lineBytes: number, blocked: boolean, micros: number): number {
    this.room(scannedRowBytes(lineBytes));
    const rowStart = this.at;
    const { kind, start, end, value, b } = this;
    this.at = writeScannedRow(this.copy, rowStart, b, kind, start, end, value, blocked, micros);
    return rowStart;
  }
}
