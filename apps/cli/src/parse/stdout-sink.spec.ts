import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { LineBuffer, StdoutSink } from './stdout-sink.js';

async function writeAll(sink: StdoutSink, lines: string[], flushEvery: number): Promise<void> {
  for (let i = 0; i < lines.length; i++) {
    sink.write(lines[i]);
    if (i % flushEvery === 0 && sink.pending) await sink.flush();
  }
  await sink.end();
}

async function written(lines: string[], batchBytes: number, flushEvery: number): Promise<Buffer> {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  await writeAll(new StdoutSink(stream, batchBytes), lines, flushEvery);
  return Buffer.concat(chunks);
}

const manyLines = Array.from({ length: 20_000 }, (_, i) => `{"line":${i},"text":"${'t'.repeat(i % 300)}"}`);
const manyBytes = Buffer.from(manyLines.map((l) => `${l}\n`).join(''), 'utf8');

describe('StdoutSink', () => {
  it('writes every line as UTF-8 with a newline, whatever the batch and line sizes', async () => {
    const lines = [
      '{"a":1}',
      '',
      'é😀\u2028 and \ud800 alone',
      'x'.repeat(5000),
      ...Array.from({ length: 300 }, (_, i) => `line ${i} ${'ü'.repeat(i % 40)}`),
      'y'.repeat(70_000),
    ];
    const expected = Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
    for (const [batch, every] of [
      [16, 1],
      [1024, 7],
      [256 * 1024, 1000],
    ])
      expect((await written(lines, batch, every)).equals(expected), `batch ${batch}`).toBe(true);
  });

  it('keeps every chunk it handed to a stream that passes chunks on (buffers not written into again)', async () => {
    // 8 KiB buffers have their own memory (not Node's pool), as the CLI's do.
    expect((await written(manyLines, 4096, 3)).equals(manyBytes)).toBe(true);
  });

  it('writes into its buffers again once a file descriptor stream has written them, and writes every line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stdout-sink-'));
    try {
      const file = join(dir, 'out');
      const stream: Writable = createWriteStream(file);
      await writeAll(new StdoutSink(stream, 4096, true), manyLines, 3);
      stream.end();
      await finished(stream);
      expect(readFileSync(file).equals(manyBytes)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('LineBuffer', () => {
  it('writes the next batches into the buffers given back, and leaves other sizes alone', () => {
    const sink = new LineBuffer(4096);
    const batch = (line: string): Buffer => {
      sink.write(line);
      const taken = sink.take();
      expect(taken.length).toBe(1);
      expect(taken[0].toString()).toBe(`${line}\n`);
      return taken[0];
    };
    const first = batch('a'.repeat(100));
    sink.giveBack(Buffer.from(first.buffer));
    sink.giveBack(Buffer.alloc(100));
    // take() got the next batch's buffer before the first came back: the one after is the first.
    const second = batch('b');
    expect(second.buffer).not.toBe(first.buffer);
    expect(batch('c').buffer).toBe(first.buffer);
    expect(batch('d').buffer.byteLength).toBe(8192);
  });
});
