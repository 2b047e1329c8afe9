import { describe, expect, it } from 'vitest';
import { forEachLine } from './chunk-lines.js';
import { inputChunks, SharedChunks } from './input-chunks.js';
import { readLines, type InputLine } from './line-reader.js';

async function* pieces(bytes: Buffer, sizes: number[]): AsyncGenerator<Buffer> {
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const n = sizes[i % sizes.length];
    yield bytes.subarray(at, at + n);
    at += n;
  }
}

/** Lines as the worker path sees them: chunks cut by inputChunks, lines split by forEachLine. */
async function chunked(bytes: Buffer, sizes: number[], chunkBytes: number): Promise<InputLine[]> {
  const out: InputLine[] = [];
  for await (const chunk of inputChunks(pieces(bytes, sizes), chunkBytes)) {
    const n = forEachLine(chunk.bytes, chunk.overlong, (text, truncated) => out.push({ text, truncated }));
    expect(n).toBe(chunk.lines);
  }
  return out;
}

async function reader(bytes: Buffer, sizes: number[]): Promise<InputLine[]> {
  const out: InputLine[] = [];
  for await (const batch of readLines(pieces(bytes, sizes)))
    for (const l of batch) out.push({ text: l.truncated ? '' : l.text, truncated: l.truncated });
  return out;
}

describe('inputChunks and forEachLine', () => {
  it('give the lines readLines gives, whatever the read and chunk sizes', async () => {
    let seed = 99;
    const r = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const alphabet = [
      0x61, 0x20, 0x0a, 0x0a, 0x0d, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0xff, 0x00,
    ];
    for (let round = 0; round < 40; round++) {
      const bytes = Buffer.from(
        Array.from({ length: 1 + Math.floor(r() * 3000) }, () => alphabet[Math.floor(r() * alphabet.length)]),
      );
      const sizes = [1 + Math.floor(r() * 700), 1 + Math.floor(r() * 5)];
      const expected = await reader(bytes, sizes);
      for (const chunkBytes of [1, 7, 100, 1 << 20])
        expect(await chunked(bytes, sizes, chunkBytes), `round ${round} chunk ${chunkBytes}`).toEqual(
          expected,
        );
    }
  });

  it('cuts lines past the reader bound and keeps memory bounded', async () => {
    const long = Buffer.alloc(4 * 1024 * 1024, 0x78);
    const bytes = Buffer.concat([
      Buffer.from('a\n'),
      Buffer.alloc(1024 * 1024 + 1, 0x79),
      Buffer.from('\nb\n'),
      long,
      Buffer.from('\nc\n'),
      long,
    ]);
    const expected = await reader(bytes, [65536]);
    expect(expected.map((l) => l.truncated)).toEqual([false, true, false, true, false, true]);
    const sizes: number[] = [];
    for await (const chunk of inputChunks(pieces(bytes, [65536]), 1 << 20)) sizes.push(chunk.bytes.length);
    expect(Math.max(...sizes)).toBeLessThan(3.5 * 1024 * 1024);
    expect(await chunked(bytes, [65536], 1 << 20)).toEqual(expected);
  });
});

describe('SharedChunks', () => {
  it('gives buffers over shared memory and uses a released one again', () => {
    const chunks = new SharedChunks(64);
    const a = chunks.take(10);
    expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect([a.length, a.buffer.byteLength]).toEqual([10, 64]);
    const b = chunks.take(100);
    expect(b.buffer.byteLength).toBe(100);
    expect(chunks.take(5).buffer).not.toBe(a.buffer);
    chunks.release(a);
    chunks.release(a);
    // Buffers it did not make are left alone.
    chunks.release(Buffer.alloc(64));
    const again = chunks.take(60);
    expect(again.buffer).toBe(a.buffer);
    expect(chunks.take(60).buffer).not.toBe(a.buffer);
    chunks.release(b);
    expect(chunks.take(90).buffer).toBe(b.buffer);
  });

  it('cuts the same chunks with buffers used again', async () => {
    const bytes = Buffer.from(
      Array.from({ length: 500 }, (_, i) => `line ${i} ${'x'.repeat(i % 37)}`).join('\n'),
    );
    const chunks = new SharedChunks(256);
    const seen: string[] = [];
    for await (const chunk of inputChunks(pieces(bytes, [100, 3, 900]), 200, chunks)) {
      seen.push(chunk.bytes.toString('latin1'));
      chunks.release(chunk.bytes);
    }
    expect(seen.join('')).toBe(bytes.toString('latin1'));
    expect(seen.length).toBeGreaterThan(20);
  });
});
