import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { StdoutSink } from './stdout-sink.js';

async function written(lines: string[], batchBytes: number, flushEvery: number): Promise<Buffer> {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  const sink = new StdoutSink(stream, batchBytes);
  for (let i = 0; i < lines.length; i++) {
    sink.write(lines[i]);
    if (i % flushEvery === 0 && sink.pending) await sink.flush();
  }
  await sink.end();
  return Buffer.concat(chunks);
}

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
});
