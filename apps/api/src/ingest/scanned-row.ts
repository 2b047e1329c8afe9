import { JSONB_VERSION, ROW_HEAD_BYTES, writeInt32, writeInt8, writeTimestamp } from './copy-binary.js';
import {
  ABSENT,
  BIGINT_SLOT,
  BLOCKED,
  ESCAPED,
  FALSE,
  HOST,
  JSON_TEXT,
  NUMBER,
  OBSERVED_AT,
  SLOTS,
  TRUE,
} from './event-keys.js';
import { BACKSLASH, CR, LF, TAB } from './json-bytes.js';

/**
 * The `violations` row of a line the byte scanner read (event-scanner.ts), in binary COPY format
 * (copy-binary.ts), written from the line's bytes and the slots the scanner filled.
 */

/** Bytes a row of a line of `lineBytes` may take at most. */
export function scannedRowBytes(lineBytes: number): number {
  // Unescaping never lengthens a value, and each column adds at most 9 bytes (length, time).
  return ROW_HEAD_BYTES + lineBytes + SLOTS * 9 + 8;
}

/**
 * The row into out from `at`, ROW_HEAD_BYTES left at its start for the field count and host id
 * (known only when the batch is written); answers where it ends. Per slot, `kind` says what the
 * line gave, b[start, end) its bytes, `value` its number.
 */
export function writeScannedRow(
  out: Buffer,
  at: number,
  b: Buffer,
  kind: Uint8Array,
  start: Int32Array,
  end: Int32Array,
  value: Float64Array,
  blocked: boolean,
  micros: number,
): number {
  at += ROW_HEAD_BYTES;
  for (let slot = 0; slot < HOST; slot++) {
    const k = slot === BLOCKED ? (blocked ? TRUE : FALSE) : kind[slot];
    switch (k) {
      case ABSENT:
        at = writeInt32(out, at, -1);
        break;
      case TRUE:
      case FALSE:
        at = writeInt32(out, at, 1);
        out[at++] = k === TRUE ? 1 : 0;
        break;
      case NUMBER:
        if (BIGINT_SLOT[slot]) {
          at = writeInt32(out, at, 8);
          writeInt8(out, at, value[slot]);
          at += 8;
        } else {
          at = writeInt32(out, at, 4);
          at = writeInt32(out, at, value[slot]);
        }
        break;
      case ESCAPED: {
        const length = unescapeJsonString(b, start[slot], end[slot], out, at + 4);
        writeInt32(out, at, length);
        at += 4 + length;
        break;
      }
      case JSON_TEXT:
        at = writeInt32(out, at, end[slot] - start[slot] + 1);
        out[at++] = JSONB_VERSION;
        at += b.copy(out, at, start[slot], end[slot]);
        break;
      default: {
        if (slot === OBSERVED_AT) {
          at = writeInt32(out, at, 8);
          writeTimestamp(out, at, micros);
          at += 8;
          break;
        }
        // PLAIN: the bytes as they are.
        const s = start[slot];
        const e = end[slot];
        at = writeInt32(out, at, e - s);
        if (e - s > 32) at += b.copy(out, at, s, e);
        else for (let j = s; j < e; j++) out[at++] = b[j];
      }
    }
  }
  return at;
}
/**
 * A JSON string's bytes b[s, e) with its escapes undone (the scanner takes no \u escapes) into
 * out from `at`; answers how many bytes it wrote.
 */
function unescapeJsonString(b: Buffer, s: number, e: number, out: Buffer, at: number): number {
  const from = at;
  for (let j = s; j < e; j++) {
    const c = b[j];
    if (c !== BACKSLASH) {
      out[at++] = c;
      continue;
    }
    const x = b[++j];
    switch (x) {
      case 0x62: // \b
        out[at++] = 0x08;
        break;
      case 0x66: // \f
        out[at++] = 0x0c;
        break;
      case 0x6e: // \n
        out[at++] = LF;
        break;
      case 0x72: // \r
        out[at++] = CR;
        break;
      case 0x74: // \t
        out[at++] = TAB;
        break;
      default: // \" \\ and \/
        out[at++] = x;
    }
  }
  return at - from;
}
