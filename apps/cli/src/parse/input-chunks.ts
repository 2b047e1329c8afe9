/** A piece of an input: whole lines (the last piece of the input may lack its newline). */
export interface InputChunk {
  bytes: Buffer;
  /** Lines (0-based, in this chunk) longer than the reader keeps; their bytes are cut short. */
  overlong: number[];
  lines: number;
}

/**
 * A line with more bytes than this has more than MAX_LINE_CHARS UTF-16 units (UTF-8 spends at
 * most three bytes on one), so it is reported as too long whatever it holds: keep this much.
 */
export const OVERLONG_BYTES = 3 * 1024 * 1024 + 4;

/**
 * Copies `parts` (`n` bytes) into one buffer over shared memory: posted to a parse worker, it
 * is shared, not copied, and stays readable here (for the next chunk's lead-in, or to post again).
 */
function gather(parts: Buffer[], n: number): Buffer {
  const out = Buffer.from(new SharedArrayBuffer(n));
  let at = 0;
  for (const part of parts) at += part.copy(out, at);
  return out;
}

/**
 * Cuts a byte stream into chunks of about `chunkBytes`, each ending at a newline, holding at
 * most one chunk, one read and one bounded line: memory stays flat on any input size.
 */
export async function* inputChunks(
  stream: AsyncIterable<Buffer>,
  chunkBytes: number,
): AsyncGenerator<InputChunk> {
  let parts: Buffer[] = [];
  let size = 0;
  // Complete lines in parts.
  let lines = 0;
  // Bytes of the open (last) line kept so far; whether it went past OVERLONG_BYTES.
  let lineBytes = 0;
  let dropping = false;
  let overlong: number[] = [];
  for await (const buf of stream) {
    let keepFrom = 0;
    let pos = 0;
    for (;;) {
      const nl = buf.indexOf(10, pos);
      const end = nl < 0 ? buf.length : nl;
      if (!dropping && lineBytes + (end - pos) > OVERLONG_BYTES) {
        // Keep the line's start only; the rest up to its newline is dropped.
        const keep = pos + (OVERLONG_BYTES - lineBytes);
        parts.push(buf.subarray(keepFrom, keep));
        size += keep - keepFrom;
        dropping = true;
        lineBytes = OVERLONG_BYTES;
      } else if (!dropping) lineBytes += end - pos;
      if (nl < 0) {
        if (dropping) keepFrom = buf.length;
        break;
      }
      if (dropping) {
        overlong.push(lines);
        dropping = false;
        keepFrom = nl;
      }
      lines++;
      lineBytes = 0;
      pos = nl + 1;
      if (size + (pos - keepFrom) >= chunkBytes) {
        parts.push(buf.subarray(keepFrom, pos));
        size += pos - keepFrom;
        keepFrom = pos;
        const chunk: InputChunk = { bytes: gather(parts, size), overlong, lines };
        parts = [];
        size = 0;
        lines = 0;
        overlong = [];
        yield chunk;
      }
    }
    if (keepFrom < buf.length) {
      parts.push(buf.subarray(keepFrom));
      size += buf.length - keepFrom;
    }
  }
  if (size > 0) {
    // The last line without a newline is a line too.
    if (lineBytes > 0 || dropping) {
      if (dropping) overlong.push(lines);
      lines++;
    }
    yield { bytes: gather(parts, size), overlong, lines };
  }
}
