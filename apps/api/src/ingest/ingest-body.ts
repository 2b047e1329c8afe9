import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { IngestBodyError } from './ingest.errors.js';

/** Limits of one ingest request (issue 2): past either, 413. */
export const INGEST_MAX_BYTES = 16 * 1024 * 1024;
export const INGEST_MAX_EVENTS = 10_000;

/**
 * Reads a request body into memory, gunzipping it when `Content-Encoding: gzip`. Stops at
 * `maxBytes` (compressed or not), so a 100 MB body costs 16 MiB at most; the rest of the request
 * is drained and thrown away so that the client still reads the 413.
 */
export async function readIngestBody(
  body: Readable,
  contentEncoding: string | undefined,
  maxBytes: number = INGEST_MAX_BYTES,
): Promise<Buffer> {
  const encoding = (contentEncoding ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== 'x-gzip') {
    body.resume();
    throw new IngestBodyError(
      'unsupported_encoding',
      `Content-Encoding "${encoding}" is not supported; use gzip`,
    );
  }
  const source: Readable = encoding === 'identity' ? body : body.pipe(createGunzip());
  const chunks: Buffer[] = [];
  let size = 0;
  let raw = 0;
  if (source !== body) body.on('data', (c: Buffer) => (raw += c.length));
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes || raw > maxBytes) {
        throw new IngestBodyError('payload_too_large', `The body is larger than ${maxBytes} bytes`);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (source !== body) source.destroy();
    body.resume();
    if (error instanceof IngestBodyError) throw error;
    if (source !== body) {
      throw new IngestBodyError('invalid_gzip', `The gzip stream is broken: ${(error as Error).message}`);
    }
    throw error;
  }
  return Buffer.concat(chunks, size);
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
  let start = 0;
  let line = 1;
  while (start <= body.length) {
    let end = body.indexOf(0x0a, start);
    if (end < 0) end = body.length;
    const bytes = body.subarray(start, end > start && body[end - 1] === 0x0d ? end - 1 : end);
    try {
      const text = (line === 1 ? fatalUtf8 : fatalUtf8KeepBom).decode(bytes);
      if (text.trim() !== '') out.push({ line, text });
    } catch {
      out.push({ line, invalidUtf8: true });
    }
    start = end + 1;
    line++;
  }
  return out;
}
