import {
  appendFileSync,
  copyFileSync,
  mkdtempSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// eslint-disable-next-line no-restricted-imports -- this suite drives the agent's tailer on real files
import { FileTailer } from '../apps/agent/src/tail/file-tailer.js';
// eslint-disable-next-line no-restricted-imports -- idem
import type { FilePosition } from '../apps/agent/src/tail/file-position.js';

describe('agent file tailer', () => {
  let dir: string;
  let log: string;
  let tailer: FileTailer | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandtrap-tail-'));
    log = join(dir, 'audit.log');
  });
  afterEach(async () => {
    await tailer?.stop();
    tailer = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const follow = (options: { checkpoint?: FilePosition; fromStart?: boolean } = {}) => {
    const seen: string[] = [];
    const state = { position: undefined as FilePosition | undefined };
    tailer = new FileTailer({
      path: log,
      pollMs: 10,
      chunkBytes: 64,
      ...options,
      onLines: (lines, position) => {
        seen.push(...lines);
        state.position = position;
        return Promise.resolve();
      },
    });
    tailer.start();
    return { seen, state };
  };
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 300 && !check(); i++) await sleep(10);
  };
  const numbered = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => `line ${from + i}`);
  const write = (from: number, to: number, path = log) =>
    appendFileSync(path, numbered(from, to).join('\n') + '\n');

  it('starts at the end by default, and reads a partial line only once it is complete', async () => {
    write(0, 5);
    const { seen } = follow();
    await sleep(50);
    appendFileSync(log, 'line 5 first half');
    await sleep(50);
    expect(seen).toEqual([]);
    appendFileSync(log, ', second half\n');
    await until(() => seen.length === 1);
    expect(seen).toEqual(['line 5 first half, second half']);
  });

  it('follows rename rotation under load without missing or repeating a line', async () => {
    writeFileSync(log, '');
    const { seen } = follow({ fromStart: true });
    for (let round = 0; round < 5; round++) {
      write(round * 200, round * 200 + 150);
      renameSync(log, `${log}.${round + 1}`);
      write(round * 200 + 150, round * 200 + 200);
      // Rotations further apart than the poll interval, as logrotate and auditd do.
      await sleep(60);
    }
    await until(() => seen.length >= 1000);
    await sleep(50);
    expect(seen).toEqual(numbered(0, 1000));
  });

  it('restarts at 0 after copy-truncate', async () => {
    write(0, 100);
    const { seen } = follow({ fromStart: true });
    await until(() => seen.length === 100);
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    await sleep(50);
    write(100, 110);
    await until(() => seen.length === 110);
    expect(seen).toEqual(numbered(0, 110));
  });

  it('resumes from a saved inode and offset, also inside the rotated file', async () => {
    write(0, 10);
    const first = follow({ fromStart: true });
    await until(() => first.seen.length === 10);
    await tailer!.stop();
    const saved = first.state.position!;
    write(10, 20);
    renameSync(log, `${log}.1`);
    write(20, 25);
    const second = follow({ checkpoint: saved });
    await until(() => second.seen.length === 15);
    await sleep(30);
    expect(second.seen).toEqual(numbered(10, 25));
  });

  it('passes garbage lines through untouched for the parser to judge', async () => {
    writeFileSync(log, '');
    const { seen } = follow({ fromStart: true });
    appendFileSync(log, Buffer.from([0xff, 0x00, 0x41, 0x0a]));
    await until(() => seen.length === 1);
    expect(seen[0]).toContain('A');
  });
});
