import type { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { IngestBodyError } from './ingest.errors.js';

/** Limits of one ingest request (issue 2): past either, 413. */
export const INGEST_MAX_BYTES = 16 * 1024 * 1024;
export const INGEST_MAX_EVENTS = 10_000;

/**
 * Reads a request body into memory, gunzipping it when `Content-Encoding: gzip`. Stops at
 * `maxBytes` (compressed or not), so a 100 MB body costs 16 MiB at most; the rest of the request
 * is drained and thrown away so that the client still reads the 413. The compressed bytes are
 * inflated in one call into one buffer: cheaper in time and memory than a stream of small chunks.
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
  const tooLarge = () =>
    new IngestBodyError('payload_too_large', `The body is larger than ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw tooLarge();
      chunks.push(chunk);
    }
  } catch (error) {
    body.resume();
    throw error;
  }
  const raw = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
  if (encoding === 'identity') return raw;
  try {
    return gunzipSync(raw, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
    throw new IngestBodyError('invalid_gzip', `The gzip stream is broken: ${(error as Error).message}`);
  }
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
