import type { SecurityEvent } from '@sandtrap/events';
import { describe, expect, it } from 'vitest';
import { EvaluationQueue } from './evaluation-queue.js';

const ev = (host: string, syscall: string, i = 0): SecurityEvent => ({
  eventKey: `${host}:${syscall}:${i}`,
  observedAt: '2026-11-29T06:00:00.000000Z',
  host,
  source: 'auditd',
  kind: 'seccomp',
  action: 'errno',
  blocked: true,
  syscall: { name: syscall },
});

describe('EvaluationQueue', () => {
  it('runs one batch at a time and merges what arrives meanwhile into one run of distinct shapes', async () => {
    const runs: string[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const queue = new EvaluationQueue(
      async (events) => {
        runs.push(events.map((e) => `${e.host}/${e.syscall?.name}`));
        if (runs.length === 1) await gate;
      },
      () => undefined,
    );
    queue.push([ev('a', 'read')]);
    for (let i = 0; i < 1000; i++) queue.push([ev('b', 'mount', i), ev('c', 'ptrace', i)]);
    release();
    await queue.idle();
    expect(runs).toEqual([['a/read'], ['b/mount', 'c/ptrace']]);
  });

  it('does nothing for empty batches and keeps going after a failed run', async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const queue = new EvaluationQueue(
      async () => {
        calls++;
        if (calls === 1) throw new Error('db down');
      },
      (e) => errors.push(e),
    );
    queue.push([]);
    await queue.idle();
    expect(calls).toBe(0);
    queue.push([ev('a', 'read')]);
    await queue.idle();
    expect(errors).toHaveLength(1);
    queue.push([ev('a', 'read')]);
    await queue.idle();
    expect(calls).toBe(2);
  });
});
