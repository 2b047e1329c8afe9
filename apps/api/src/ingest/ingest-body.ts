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

export interface BodyLine {
  /** 1-based line number in the body. */
  line: number;
  text?: string;
  /** Set when the line is not valid UTF-8. */
  invalidUtf8?: true;
}

/** The non-empty lines of a body; a line that is not UTF-8 is marked, never silently altered. */
export function splitBodyLines(body: Buffer): BodyLine[] {
  let whole: string | undefined;
  try {
    whole = fatalUtf8.decode(body);
  } catch {
    whole = undefined;
  }
  const out: BodyLine[] = [];
  if (whole !== undefined) {
    const lines = whole.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
      if (text.trim() !== '') out.push({ line: i + 1, text });
    }
    return out;
  }
  // Slow path, only for bodies with bad bytes: find which lines they are in.
  let start = 0;
  let line = 1;
  while (start <= body.length) {
    let end = body.indexOf(0x0a, start);
    if (end < 0) end = body.length;
    const bytes = body.subarray(start, end);
    try {
      const text = fatalUtf8.decode(bytes).replace(/\r$/, '');
      if (text.trim() !== '') out.push({ line, text });
    } catch {
      out.push({ line, invalidUtf8: true });
    }
    start = end + 1;
    line++;
  }
  return out;
}
