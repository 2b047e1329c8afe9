import { describe, expect, it } from 'vitest';
import type { SecurityEvent } from '@sandtrap/events';
import { VIOLATION_COLUMNS, columnArrays, copyChunks, copyData, numericProblem } from './violation-row.js';

const base: SecurityEvent = {
  eventKey: 'k',
  observedAt: '2026-11-29T00:00:00Z',
  host: 'h',
  source: 'kmsg',
  kind: 'seccomp',
  action: 'log',
  blocked: false,
};

const HOST_ID = '6f1c2b3a-0d4e-4f5a-8b6c-7d8e9f0a1b2c';
const PG_EPOCH_MICROS = 946_684_800_000_000;

/** The rows of binary COPY data (no header), each field's bytes or null. */
function rowsOf(data: Buffer): Array<Array<Buffer | null>> {
  const rows: Array<Array<Buffer | null>> = [];
  let at = 0;
  while (at < data.length) {
    const fields = data.readInt16BE(at);
    at += 2;
    const row: Array<Buffer | null> = [];
    for (let k = 0; k < fields; k++) {
      const length = data.readInt32BE(at);
      at += 4;
      row.push(length < 0 ? null : data.subarray(at, (at += length)));
    }
    rows.push(row);
  }
  return rows;
}

/** A field's bytes read back as its column's type, as columnArrays gives the value. */
function valueOf(field: Buffer | null, type: string): unknown {
  if (field === null) return null;
  switch (type) {
    case 'uuid':
      return field.toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
    case 'bigint':
      return Number(field.readBigInt64BE());
    case 'int':
      return field.readInt32BE();
    case 'boolean':
      return field[0] === 1;
    case 'jsonb':
      expect(field[0]).toBe(1);
      return field.subarray(1).toString('utf8');
    default:
      return field.toString('utf8');
  }
}

describe('copyChunks', () => {
  it('writes every column in VIOLATION_COLUMNS order in its binary form, as columnArrays answers it', () => {
    const event: SecurityEvent = {
      ...base,
      eventKey: 'a\tb\nc\rd\\e',
      source: 'falco',
      kind: 'runtime',
      action: 'kill_process',
      blocked: true,
      bootId: 'b0',
      process: {
        pid: 1,
        tid: 2,
        ppid: -3,
        uid: 4294967295,
        gid: -5,
        auid: 2 ** 40 + 6,
        ses: 7,
        comm: 'cü😀',
        exe: '\\N',
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
      { hostId: HOST_ID, micros: 1_764_395_667_123_456, event },
      { hostId: HOST_ID, micros: -1, event: base },
    ]) {
      const [fields] = rowsOf(Buffer.concat([...copyChunks([row])]));
      expect(fields).toHaveLength(VIOLATION_COLUMNS.length);
      const expected = columnArrays([row]).map(([v]) => v);
      const read = fields.map((f, k) => {
        const [name, type] = VIOLATION_COLUMNS[k];
        // The time goes as a timestamptz: microseconds since 2000.
        if (name === 'micros') return Number(f!.readBigInt64BE()) + PG_EPOCH_MICROS;
        return valueOf(f, type);
      });
      expect(read).toEqual(expected);
    }
  });

  it('writes absent values as NULL and strings as they are, without escapes', () => {
    const row = {
      hostId: HOST_ID,
      micros: 5,
      event: { ...base, eventKey: 'a\tb\\N', process: { comm: '\\N' } },
    };
    const [fields] = rowsOf(Buffer.concat([...copyChunks([row])]));
    expect(fields[1]!.toString()).toBe('a\tb\\N');
    expect(fields[7]).toBeNull();
    expect(fields[18]!.toString()).toBe('\\N');
  });

  it('frames the rows with the binary COPY header and trailer', () => {
    const data = Buffer.concat([...copyData([{ hostId: HOST_ID, micros: 0, event: base }])]);
    expect(data.subarray(0, 11)).toEqual(Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'));
    expect(data.readInt32BE(11)).toBe(0);
    expect(data.readInt32BE(15)).toBe(0);
    expect(data.readInt16BE(data.length - 2)).toBe(-1);
    expect(rowsOf(data.subarray(19, -2))).toHaveLength(1);
  });

  it('refuses a host id that is not a uuid rather than write a broken row', () => {
    expect(() => [...copyChunks([{ hostId: 'not-a-uuid', micros: 0, event: base }])]).toThrow(/not a uuid/);
  });

  it('cuts the rows into chunks of whole rows', () => {
    const rows = Array.from({ length: 5 }, (_, i) => ({
      hostId: HOST_ID,
      micros: i,
      event: { ...base, eventKey: `k${i}` },
    }));
    const chunks = [...copyChunks(rows, 2)];
    expect(chunks.map((c) => rowsOf(c).length)).toEqual([2, 2, 1]);
    expect(rowsOf(Buffer.concat(chunks))[4][1]!.toString()).toBe('k4');
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
