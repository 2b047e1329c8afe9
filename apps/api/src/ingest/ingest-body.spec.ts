import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  expandIngestBody,
  forEachBodyLine,
  maxBodyLines,
  readIngestBody,
  receiveIngestBody,
  splitBodyLines,
} from './ingest-body.js';
import { IngestBodyError } from './ingest.errors.js';

const stream = (...chunks: Buffer[]) => Readable.from(chunks);

async function failure(p: Promise<unknown>): Promise<IngestBodyError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(IngestBodyError);
  return e as IngestBodyError;
}

describe('readIngestBody', () => {
  it('reads plain and gzip bodies', async () => {
    const text = Buffer.from('{"a":1}\n{"b":2}\n');
    expect((await readIngestBody(stream(text), undefined)).equals(text)).toBe(true);
    const gz = gzipSync(text);
    expect((await readIngestBody(stream(gz.subarray(0, 5), gz.subarray(5)), 'gzip')).equals(text)).toBe(true);
  });

  it('refuses a truncated gzip stream and garbage called gzip', async () => {
    const gz = gzipSync(Buffer.from('x'.repeat(10_000)));
    expect((await failure(readIngestBody(stream(gz.subarray(0, gz.length - 10)), 'gzip'))).code).toBe(
      'invalid_gzip',
    );
    expect((await failure(readIngestBody(stream(Buffer.from('not gzip at all')), 'gzip'))).code).toBe(
      'invalid_gzip',
    );
  });

  it('stops at the size limit, before and after decompression', async () => {
    const big = Buffer.alloc(2000, 0x41);
    expect((await failure(readIngestBody(stream(big), undefined, 1000))).code).toBe('payload_too_large');
    // 2000 bytes that gzip to a few dozen: the limit applies to what they expand to.
    expect((await failure(readIngestBody(stream(gzipSync(big)), 'gzip', 1000))).code).toBe(
      'payload_too_large',
    );
  });

  it('keeps a gzip body compressed until it is expanded, knowing what it expands to', async () => {
    const text = Buffer.from('{"a":1}\n'.repeat(5000));
    const gz = gzipSync(text);
    const received = await receiveIngestBody(stream(gz.subarray(0, 100), gz.subarray(100)), 'gzip');
    expect(received.bytes.equals(gz)).toBe(true);
    expect(received.expandedSize).toBe(text.length);
    expect(expandIngestBody(received).equals(text)).toBe(true);
    // Two gzip members: the trailer names the last one's size only; all of it is still read.
    const two = Buffer.concat([gzipSync(text), gzipSync(Buffer.from('{"b":2}\n'))]);
    const both = await receiveIngestBody(stream(two), 'gzip');
    expect(both.expandedSize).toBe(two.length);
    expect(expandIngestBody(both).toString()).toBe(`${text.toString()}{"b":2}\n`);
    const plain = await receiveIngestBody(stream(text.subarray(0, 7), text.subarray(7)), undefined);
    expect(plain.expandedSize).toBe(text.length);
    expect(expandIngestBody(plain).equals(text)).toBe(true);
  });

  it('drains the rest of a body past the limit', async () => {
    const body = stream(Buffer.alloc(600, 0x41), Buffer.alloc(600, 0x41), Buffer.alloc(600, 0x41));
    expect((await failure(receiveIngestBody(body, undefined, 1000))).code).toBe('payload_too_large');
    await finished(body);
    expect(body.readableEnded).toBe(true); // read to its end, not cut off
  });

  it('refuses encodings it does not know', async () => {
    expect((await failure(readIngestBody(stream(Buffer.from('x')), 'br'))).code).toBe('unsupported_encoding');
  });
});

describe('splitBodyLines', () => {
  it('numbers non-empty lines from 1 and strips CR', () => {
    expect(splitBodyLines(Buffer.from('a\r\n\n  \nb'))).toEqual([
      { line: 1, text: 'a' },
      { line: 4, text: 'b' },
    ]);
  });

  it('marks lines that are not UTF-8 and keeps the others', () => {
    const body = Buffer.concat([Buffer.from('ok ü\n'), Buffer.from([0xc3, 0x28, 0x0a]), Buffer.from('fine')]);
    expect(splitBodyLines(body)).toEqual([
      { line: 1, text: 'ok ü' },
      { line: 2, invalidUtf8: true },
      { line: 3, text: 'fine' },
    ]);
  });
});

describe('forEachBodyLine and maxBodyLines', () => {
  it('visit the lines splitBodyLines answers, and bound their number by the line feeds', () => {
    for (const body of [
      Buffer.from('a\r\n\n  \nb'),
      Buffer.concat([Buffer.from('\ufeffok ü\n'), Buffer.from([0xc3, 0x28, 0x0a]), Buffer.from('fine\n')]),
      Buffer.alloc(0),
    ]) {
      const seen: Array<{ line: number; text?: string; invalidUtf8?: true }> = [];
      forEachBodyLine(body, (line, text) =>
        seen.push(text === undefined ? { line, invalidUtf8: true } : { line, text }),
      );
      expect(seen).toEqual(splitBodyLines(body));
      expect(maxBodyLines(body)).toBe(body.toString('latin1').split('\n').length);
      expect(maxBodyLines(body)).toBeGreaterThanOrEqual(seen.length);
    }
  });
});
