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
 * Buffers over shared memory for chunks, used again once released: a new SharedArrayBuffer's
 * pages are faulted in as the chunk is copied into it, which cost five times the copy itself
 * (110 ms against 21 for 220 MB). Posted to a parse worker, a chunk is shared, not copied, and
 * stays readable here (for the next chunk's lead-in, or to post again): the caller releases it
 * only when no job can read it any more.
 */
export class SharedChunks {
  private readonly free: SharedArrayBuffer[] = [];
  private readonly mine = new WeakSet<ArrayBufferLike>();

  constructor(private readonly capacity: number) {}

  /** A buffer of `n` bytes over shared memory (its contents unspecified). */
  take(n: number): Buffer {
    let memory: SharedArrayBuffer | undefined;
    for (let i = 0; i < this.free.length; i++) {
      if (this.free[i].byteLength >= n) {
        memory = this.free[i];
        this.free.splice(i, 1);
        break;
      }
    }
    if (memory === undefined) {
      memory = new SharedArrayBuffer(Math.max(n, this.capacity));
      this.mine.add(memory);
    }
    return Buffer.from(memory, 0, n);
  }

  /** `bytes` (from take) can be reused; buffers not from take are left alone. */
  release(bytes: Buffer): void {
    const memory = bytes.buffer;
    if (this.mine.has(memory) && !this.free.includes(memory as SharedArrayBuffer))
      this.free.push(memory as SharedArrayBuffer);
  }
}

/** Copies `parts` (`n` bytes) into one buffer over shared memory (from `chunks`, else new). */
function gather(parts: Buffer[], n: number, chunks: SharedChunks | undefined): Buffer {
  const out = chunks === undefined ? Buffer.from(new SharedArrayBuffer(n)) : chunks.take(n);
  let at = 0;
  for (const part of parts) at += part.copy(out, at);
  return out;
}

/**
 * Cuts a byte stream into chunks of about `chunkBytes`, each ending at a newline, holding at
 * most one chunk, one read and one bounded line: memory stays flat on any input size. Their
 * buffers come from `chunks` when given.
 */
export async function* inputChunks(
  stream: AsyncIterable<Buffer>,
  chunkBytes: number,
  chunks?: SharedChunks,
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
        const chunk: InputChunk = { bytes: gather(parts, size, chunks), overlong, lines };
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
    yield { bytes: gather(parts, size, chunks), overlong, lines };
  }
}
