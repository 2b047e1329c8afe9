import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileTailer } from './file-tailer.js';

describe('FileTailer read buffer and backpressure', () => {
  let dir: string;
  let log: string;
  let tailer: FileTailer | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandtrap-tail-unit-'));
    log = join(dir, 'audit.log');
  });
  afterEach(async () => {
    await tailer?.stop();
    tailer = undefined;
    rmSync(dir, { recursive: true, force: true });
  });
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 300 && !check(); i++) await sleep(10);
  };

  it('keeps lines that cross reads and lines longer than the read buffer whole, in order', async () => {
    const lines = [
      'a'.repeat(10),
      'é'.repeat(100), // 200 bytes, several times the 16-byte buffer; multi-byte across reads
      'b',
      `${'c'.repeat(40)} end`,
      'd'.repeat(15),
    ];
    writeFileSync(log, lines.join('\n') + '\n');
    const seen: string[] = [];
    let offset = 0;
    tailer = new FileTailer({
      path: log,
      fromStart: true,
      pollMs: 10,
      chunkBytes: 16,
      onLines: (got, position) => {
        seen.push(...got);
        offset = position.offset;
        return Promise.resolve();
      },
    });
    tailer.start();
    await until(() => seen.length >= lines.length);
    appendFileSync(log, 'tail line\n');
    await until(() => seen.length > lines.length);
    expect(seen).toEqual([...lines, 'tail line']);
    expect(offset).toBe(Buffer.byteLength(lines.join('\n') + '\ntail line\n'));
  });

  it('reads nothing more while beforeRead holds it', async () => {
    writeFileSync(log, 'one\ntwo\n');
    const seen: string[] = [];
    let open = false;
    let reads = 0;
    tailer = new FileTailer({
      path: log,
      fromStart: true,
      pollMs: 10,
      chunkBytes: 4,
      beforeRead: async () => {
        reads++;
        while (!open) await sleep(5);
      },
      onLines: (got) => {
        seen.push(...got);
        return Promise.resolve();
      },
    });
    tailer.start();
    await sleep(100);
    expect(reads).toBe(1);
    expect(seen).toEqual([]);
    open = true;
    await until(() => seen.length >= 2);
    expect(seen).toEqual(['one', 'two']);
  });

  it('lets timers run while it catches up on a large file', async () => {
    const line = `${'x'.repeat(99)}\n`;
    writeFileSync(log, line.repeat(20_000)); // 2 MB: 32 reads of 64 KiB
    let seen = 0;
    let ticks = 0;
    let ticksBeforeDone = -1;
    const timer = setInterval(() => ticks++, 0);
    tailer = new FileTailer({
      path: log,
      fromStart: true,
      pollMs: 10,
      chunkBytes: 64 << 10,
      onLines: (got) => {
        seen += got.length;
        if (seen === 20_000) ticksBeforeDone = ticks;
        return Promise.resolve();
      },
    });
    tailer.start();
    await until(() => seen >= 20_000);
    clearInterval(timer);
    expect(seen).toBe(20_000);
    expect(ticksBeforeDone).toBeGreaterThan(0);
  });
});
