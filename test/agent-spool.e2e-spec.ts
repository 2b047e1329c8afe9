import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// eslint-disable-next-line no-restricted-imports -- this suite drives the agent's spool directly on real files
import { Spool } from '../apps/agent/src/spool/spool.js';

// File-system tests of the agent's disk spool (real files, real fsync).
describe('agent spool', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandtrap-spool-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const open = (maxBytes = 1 << 30, segmentBytes = 1 << 20) => {
    const spool = new Spool({ dir, maxBytes, segmentBytes });
    spool.open();
    return spool;
  };
  const drain = (spool: Spool) => {
    const all: string[] = [];
    for (let batch = spool.read(7); batch; batch = spool.read(7)) {
      all.push(...batch.lines);
      spool.ackBatch(batch);
    }
    return all;
  };
  const lines = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => JSON.stringify({ n: from + i }));

  it('takes lines as pieces of bytes written in one go (a read and its annotations), and refuses a torn last line', () => {
    const spool = open();
    const read = Buffer.from('a 1\nb 2\nc 3\n');
    // "a 1" and "c 3" with an annotation each, "b 2" as read: five pieces, three lines.
    spool.appendLines(
      [
        read.subarray(0, 3),
        Buffer.from('\u001eid=x'),
        read.subarray(3, 11),
        Buffer.from('\u001eid=y'),
        read.subarray(11),
      ],
      3,
    );
    spool.appendLines([Buffer.from('d 4\n')], 1);
    expect(() => spool.appendLines([Buffer.from('e 5\n'), Buffer.from('torn')], 2)).toThrow(
      /end in a newline/,
    );
    expect(spool.stats().depth).toBe(4);
    expect(drain(spool)).toEqual(['a 1\u001eid=x', 'b 2', 'c 3\u001eid=y', 'd 4']);
    spool.close();
  });

  it('gives back appended lines in order, across segments, and forgets acknowledged ones', () => {
    const spool = open(1 << 30, 100);
    spool.append(lines(0, 30));
    spool.append(lines(30, 50));
    expect(spool.stats().depth).toBe(50);
    expect(drain(spool)).toEqual(lines(0, 50));
    expect(spool.stats().depth).toBe(0);
    spool.close();
    // Nothing is resent after a restart, and shipped segments are gone.
    const again = open(1 << 30, 100);
    expect(again.read(100)).toBeUndefined();
    expect(readdirSync(dir).filter((f) => f.endsWith('.ndjson')).length).toBe(1);
    again.close();
  });

  it('resends what was read but never acknowledged (crash or failed send)', () => {
    const spool = open();
    spool.append(lines(0, 10));
    const first = spool.read(4)!;
    spool.ackBatch(first);
    const second = spool.read(4)!;
    expect(second.lines).toEqual(lines(4, 8));
    spool.rewind();
    expect(spool.read(4)!.lines).toEqual(lines(4, 8));
    spool.close(); // no ack for the second batch
    const reopened = open();
    expect(reopened.stats().depth).toBe(6);
    expect(drain(reopened)).toEqual(lines(4, 10));
    reopened.close();
  });

  it('cuts a torn last line after a crash and carries on', () => {
    const spool = open();
    spool.append(lines(0, 3));
    spool.close();
    const segment = readdirSync(dir).find((f) => f.endsWith('.ndjson'))!;
    appendFileSync(join(dir, segment), '{"n":3,"torn');
    const reopened = open();
    expect(reopened.stats().tornBytes).toBe('{"n":3,"torn'.length);
    reopened.append(lines(4, 5));
    expect(drain(reopened)).toEqual([...lines(0, 3), ...lines(4, 5)]);
    reopened.close();
  });

  it('survives a garbage ack file by resending from the oldest segment', () => {
    const spool = open();
    spool.append(lines(0, 5));
    spool.ackBatch(spool.read(2)!);
    spool.close();
    appendFileSync(join(dir, 'ack.json'), '\u0000garbage');
    const reopened = open();
    expect(drain(reopened)).toEqual(lines(0, 5));
    reopened.close();
  });

  it('drops the oldest segments when full and counts every dropped event', () => {
    const spool = open(600, 200);
    const produced = 200;
    for (let i = 0; i < produced; i += 10) spool.append(lines(i, i + 10));
    const stats = spool.stats();
    expect(stats.bytes).toBeLessThanOrEqual(600);
    const shipped = drain(spool);
    // The newest events survive, and survivors + dropped = produced.
    expect(shipped.at(-1)).toBe(JSON.stringify({ n: produced - 1 }));
    expect(shipped.length + spool.stats().droppedEvents).toBe(produced);
    spool.close();
  });

  it('refuses lines with newlines or beyond the size bound', () => {
    const spool = open();
    expect(() => spool.append(['a\nb'])).toThrow(/newline/);
    const big = new Spool({ dir: join(dir, 'b'), maxBytes: 1 << 20, maxLineBytes: 10 });
    big.open();
    expect(() => big.append(['x'.repeat(11)])).toThrow(
      expect.objectContaining({ code: 'spool_event_too_large' }),
    );
    big.close();
    spool.close();
  });
});
