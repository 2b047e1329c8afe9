import type { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { IngestBodyError } from './ingest.errors.js';

/** Limits of one ingest request (issue 2): past either, 413. */
export const INGEST_MAX_BYTES = 16 * 1024 * 1024;
export const INGEST_MAX_EVENTS = 10_000;

/** A request body as it arrived: gzip-compressed when it was sent so. */
export interface ReceivedBody {
  bytes: Buffer;
  gzip: boolean;
  /**
   * What it expands to (bytes when not compressed; the gzip trailer's ISIZE otherwise, exact for
   * one gzip member and at most `maxBytes`): what the body will weigh once decoded.
   */
  expandedSize: number;
}

/**
 * Reads a request body into memory as sent, compressed or not. Stops at `maxBytes`, so a 100 MB
 * body costs 16 MiB at most; the rest of the request is drained and thrown away so that the
 * client still reads the 413. A gzip body stays compressed (a fifth of the size for NDJSON)
 * until expandIngestBody, so that requests waiting for their turn to be decoded hold little.
 */
export async function receiveIngestBody(
  body: Readable,
  contentEncoding: string | undefined,
  maxBytes: number = INGEST_MAX_BYTES,
): Promise<ReceivedBody> {
  const encoding = (contentEncoding ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== 'x-gzip') {
    body.resume();
    throw new IngestBodyError(
      'unsupported_encoding',
      `Content-Encoding "${encoding}" is not supported; use gzip`,
    );
  }
  const bytes = await collect(body, maxBytes);
  if (encoding === 'identity') return { bytes, gzip: false, expandedSize: bytes.length };
  const trailer = bytes.length >= 18 ? bytes.readUInt32LE(bytes.length - 4) : 0;
  return { bytes, gzip: true, expandedSize: Math.min(maxBytes, Math.max(trailer, bytes.length)) };
}

/**
 * The body's bytes, inflated when gzip: in one call into one buffer of the expected size
 * (a stream would allocate it again as 16 KiB chunks and then copy them together).
 */
export function expandIngestBody(body: ReceivedBody, maxBytes: number = INGEST_MAX_BYTES): Buffer {
  if (!body.gzip) return body.bytes;
  try {
    // One byte more than expected, so that an exact guess ends without a spare chunk.
    return gunzipSync(body.bytes, {
      chunkSize: Math.max(64, Math.min(maxBytes, body.expandedSize) + 1),
      maxOutputLength: maxBytes,
    });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(maxBytes);
    throw new IngestBodyError('invalid_gzip', `The gzip stream is broken: ${(error as Error).message}`);
  }
}

/** receiveIngestBody then expandIngestBody, for bodies decoded at once. */
export async function readIngestBody(
  body: Readable,
  contentEncoding: string | undefined,
  maxBytes: number = INGEST_MAX_BYTES,
): Promise<Buffer> {
  return expandIngestBody(await receiveIngestBody(body, contentEncoding, maxBytes), maxBytes);
}

function tooLarge(maxBytes: number): IngestBodyError {
  return new IngestBodyError('payload_too_large', `The body is larger than ${maxBytes} bytes`);
}

/**
 * The stream's bytes, refused past `maxBytes`. Read by listeners rather than `for await`, which
 * would destroy the request on the way out and cut the client off before it reads the 413.
 */
function collect(body: Readable, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      stop();
      body.on('error', () => {}); // the client may hang up while the rest drains
      body.resume();
      reject(tooLarge(maxBytes));
    };
    const onEnd = () => {
      stop();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', onError);
  });
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });
/** For lines after the first: a byte-order mark there is text, not a mark to drop. */
const fatalUtf8KeepBom = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export interface BodyLine {
  /** 1-based line number in the body. */
  line: number;
  text?: string;
  /** Set when the line is not valid UTF-8. */
  invalidUtf8?: true;
}

/**
 * The non-empty lines of a body; a line that is not UTF-8 is marked, never silently altered.
 * Each line is decoded on its own: a body is never one multi-megabyte string, which V8 would
 * keep in its large-object space until the next full collection.
 */
export function splitBodyLines(body: Buffer): BodyLine[] {
  const out: BodyLine[] = [];
  forEachBodyLine(body, (line, text) =>
    out.push(text === undefined ? { line, invalidUtf8: true } : { line, text }),
  );
  return out;
}

/**
 * The lines splitBodyLines answers, handed to `visit` one at a time as they are decoded (text
 * undefined: not UTF-8), so that each line's string can be dropped as soon as it is read.
 * `claim`, when given, sees each line's bytes first (body[start, end), without its line feed
 * and CR): a line it answers true for is its own, neither decoded nor visited.
 */
export function forEachBodyLine(
  body: Buffer,
  visit: (line: number, text: string | undefined) => void,
  claim?: (line: number, start: number, end: number) => boolean,
): void {
  let start = 0;
  let line = 1;
  while (start <= body.length) {
    let end = body.indexOf(0x0a, start);
    if (end < 0) end = body.length;
    const stop = end > start && body[end - 1] === 0x0d ? end - 1 : end;
    if (claim !== undefined && claim(line, start, stop)) {
      start = end + 1;
      line++;
      continue;
    }
    const bytes = body.subarray(start, stop);
    let text: string | undefined;
    try {
      text = (line === 1 ? fatalUtf8 : fatalUtf8KeepBom).decode(bytes);
    } catch {
      text = undefined;
    }
    if (text === undefined || text.trim() !== '') visit(line, text);
    start = end + 1;
    line++;
  }
}

/** How many lines the body has at most (its line feeds plus one), without decoding them. */
export function maxBodyLines(body: Buffer): number {
  let lines = 1;
  for (let at = body.indexOf(0x0a); at >= 0; at = body.indexOf(0x0a, at + 1)) lines++;
  return lines;
}
