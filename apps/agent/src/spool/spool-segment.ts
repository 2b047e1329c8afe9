/** Segment files are `<16-digit id>.ndjson`, so a directory listing sorts them oldest first. */
const SEGMENT_NAME = /^(\d{16})\.ndjson$/;

export function segmentFileName(id: number): string {
  return `${String(id).padStart(16, '0')}.ndjson`;
}

export function parseSegmentFileName(name: string): number | undefined {
  const match = SEGMENT_NAME.exec(name);
  return match ? Number(match[1]) : undefined;
}

/**
 * Length of the part of `bytes` that ends in a newline: what a crash can leave after it is a
 * torn line the agent never acknowledged to a source, so it is cut off.
 */
export function completeLength(bytes: Uint8Array): number {
  const last = bytes.lastIndexOf(0x0a);
  return last + 1;
}

export interface SegmentLines {
  /** Complete lines (without the newline) in order. */
  lines: string[];
  /** Bytes consumed: up to and including the last newline. */
  consumed: number;
}

/** Splits a chunk read from a segment into complete lines, stopping after `maxLines`. */
export function splitSegmentLines(chunk: Buffer, maxLines: number): SegmentLines {
  const lines: string[] = [];
  let start = 0;
  while (lines.length < maxLines) {
    const end = chunk.indexOf(0x0a, start);
    if (end < 0) break;
    lines.push(chunk.toString('utf8', start, end));
    start = end + 1;
  }
  return { lines, consumed: start };
}

/**
 * How many complete lines (at most `maxLines`) a chunk holds and the bytes they take, without
 * decoding them: the shipper sends the bytes as they are.
 */
export function scanSegmentLines(chunk: Uint8Array, maxLines: number): { count: number; consumed: number } {
  let count = 0;
  let start = 0;
  while (count < maxLines) {
    const end = chunk.indexOf(0x0a, start);
    if (end < 0) break;
    count++;
    start = end + 1;
  }
  return { count, consumed: start };
}

/** Counts newline-terminated lines in a buffer (events held in a segment). */
export function countLines(bytes: Uint8Array): number {
  let count = 0;
  let at = bytes.indexOf(0x0a);
  while (at >= 0) {
    count++;
    at = bytes.indexOf(0x0a, at + 1);
  }
  return count;
}
