import { describe, expect, it } from 'vitest';
import type { SecurityEvent } from '@sandtrap/events';
import { formatObservedAt } from './observed-at.js';
import { VIOLATION_COLUMNS, columnArrays, copyChunks, numericProblem } from './violation-row.js';

const base: SecurityEvent = {
  eventKey: 'k',
  observedAt: '2026-11-29T00:00:00Z',
  host: 'h',
  source: 'kmsg',
  kind: 'seccomp',
  action: 'log',
  blocked: false,
};

describe('copyChunks', () => {
  it('escapes the characters that would break a COPY row and writes absent values as \\N', () => {
    const row = {
      hostId: 'id',
      micros: 5,
      event: { ...base, eventKey: 'a\tb\nc\rd\\e', process: { comm: '\\N' } },
    };
    const text = [...copyChunks([row])].join('');
    const fields = text.slice(0, -1).split('\t');
    expect(fields[0]).toBe('id');
    expect(fields[1]).toBe('a\\tb\\nc\\rd\\\\e');
    expect(fields[2]).toBe('1970-01-01T00:00:00.000005Z');
    expect(fields[6]).toBe('f');
    expect(fields[7]).toBe('\\N');
    expect(fields[18]).toBe('\\\\N');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n')).toHaveLength(2);
  });

  it('writes every column in VIOLATION_COLUMNS order, as columnArrays answers it', () => {
    const event: SecurityEvent = {
      ...base,
      source: 'falco',
      kind: 'runtime',
      action: 'kill_process',
      blocked: true,
      bootId: 'b0',
      process: {
        pid: 1,
        tid: 2,
        ppid: 3,
        uid: 4,
        gid: 5,
        auid: 6,
        ses: 7,
        comm: 'cü😀',
        exe: '/e',
        cmdline: 'a b',
      },
      container: { id: 'cid', name: 'cn', image: 'ci', pod: 'po', namespace: 'ns' },
      syscall: { arch: 'x86_64', nr: 101, name: 'ptrace', compat: true },
      errno: { nr: 1, name: 'EPERM' },
      signal: { nr: 9, name: 'SIGKILL' },
      policy: 'pol',
      rule: 'ru',
      severity: 'high',
      details: { k: ['v', 1] },
      raw: 'raw\\line',
    };
    for (const row of [
      { hostId: 'id', micros: 1_764_395_667_123_456, event },
      { hostId: 'id', micros: -1, event: base },
    ]) {
      const fields = [...copyChunks([row])].join('').slice(0, -1).split('\t');
      const expected = columnArrays([row]).map(([v], k) => {
        if (VIOLATION_COLUMNS[k][0] === 'micros') return formatObservedAt(v as number);
        if (v === null) return '\\N';
        if (typeof v === 'boolean') return v ? 't' : 'f';
        return String(v).replaceAll('\\', '\\\\');
      });
      expect(fields).toEqual(expected);
    }
  });

  it('cuts the rows into chunks of whole lines', () => {
    const rows = Array.from({ length: 5 }, (_, i) => ({
      hostId: 'id',
      micros: i,
      event: { ...base, eventKey: `k${i}` },
    }));
    const chunks = [...copyChunks(rows, 2)];
    expect(chunks.map((c) => String(c).split('\n').length - 1)).toEqual([2, 2, 1]);
    expect(chunks.join('').split('\n')[4].split('\t')[1]).toBe('k4');
  });
});

describe('numericProblem', () => {
  it('accepts what Postgres stores and names what it would refuse', () => {
    expect(
      numericProblem({ ...base, process: { pid: 1, uid: 4294967295 }, syscall: { nr: -1 } }),
    ).toBeUndefined();
    expect(numericProblem({ ...base, process: { pid: 2 ** 31 } })).toMatch(/process.pid/);
    expect(numericProblem({ ...base, syscall: { nr: 1.5 } })).toMatch(/syscall.nr/);
    expect(numericProblem({ ...base, process: { uid: 2 ** 60 } })).toMatch(/process.uid/);
    expect(numericProblem({ ...base, signal: { nr: Number.NaN } })).toMatch(/signal.nr/);
  });
});
