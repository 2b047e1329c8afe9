import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { partsJsonWriters, seccompPartsJsonMaxBytes, writeSeccompPartsJson } from './seccomp-parts-json.js';
import { newSeccompEventParts, seccompEventOfParts, type SeccompEventParts } from './seccomp-event.js';

/** Writes p at a few offsets into dirty memory; the written bytes against JSON.stringify's. */
function written(p: SeccompEventParts): { module: number; js: number } {
  const expected = Buffer.from(JSON.stringify(seccompEventOfParts(p)), 'utf8').toString('latin1');
  const before = { ...partsJsonWriters };
  for (const offset of [0, 3, 5]) {
    const buf = Buffer.alloc(seccompPartsJsonMaxBytes(p) + 8, 0xee);
    const end = writeSeccompPartsJson(p, buf, offset);
    expect(buf.subarray(offset, end).toString('latin1')).toBe(expected);
  }
  return { module: partsJsonWriters.module - before.module, js: partsJsonWriters.js - before.js };
}

const ascii = fc.string({ unit: 'grapheme-ascii', maxLength: 40 });
// ASCII with what JSON escapes: quotes, backslashes, control characters, DEL.
const escaped = fc.string({
  unit: fc.constantFrom('"', '\\', '\n', '\u0000', '\u001f', '\u007f', 'a', ' '),
  maxLength: 12,
});
const text = fc.oneof(ascii, escaped);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const safe = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom(4294967295, 2 ** 53 - 1, -(2 ** 53 - 1), 1e15, -0),
);

/** Parts of an event the module writes: a plain stamp, arch, number and code, ASCII values, safe integers. */
const moduleParts = fc
  .record({
    bootId: maybe(text),
    sec: fc.constantFrom(1795933840, 0, 9999999999),
    msec: fc.integer({ min: 0, max: 999 }),
    serial: fc.oneof(fc.nat(), fc.constant(2 ** 53 - 1)),
    host: text,
    source: fc.constantFrom('auditd', 'kmsg', 'journald') as fc.Arbitrary<SeccompEventParts['source']>,
    pid: maybe(safe),
    ppid: maybe(safe),
    uid: maybe(safe),
    gid: maybe(safe),
    auid: maybe(safe),
    ses: maybe(safe),
    comm: maybe(text),
    exe: maybe(text),
    cmdline: maybe(text),
    containerId: maybe(text),
    arch: text,
    nr: fc.oneof(fc.nat({ max: 5000 }), fc.constantFrom(0x40000000 + 41, 0xf0005, 2 ** 53 - 1)),
    name: maybe(text),
    compat: maybe(fc.boolean()),
    action: fc.constantFrom('kill_process', 'errno', 'log', 'allow') as fc.Arbitrary<
      SeccompEventParts['action']
    >,
    signalNr: maybe(safe),
    signalName: maybe(text),
    code: text,
    unknownCode: fc.boolean(),
    auditArch: maybe(text),
    syscallNr: maybe(safe),
    sig: maybe(safe),
    exeNull: fc.boolean(),
    ip: maybe(text),
    subj: maybe(text),
    reason: maybe(text),
    cwd: maybe(text),
    auditKey: maybe(text),
    exit: maybe(safe),
    raw: fc.oneof(text, fc.string({ unit: 'grapheme-ascii', minLength: 100, maxLength: 600 })),
  })
  .map((r) => r as SeccompEventParts);

/** A usual event's parts, `changes` applied. */
function usual(changes: Partial<SeccompEventParts>): SeccompEventParts {
  return {
    ...newSeccompEventParts(),
    sec: 1795933840,
    msec: 675,
    serial: 75,
    host: 'web-1',
    pid: 2000,
    uid: 1000,
    comm: 'curl',
    exe: '/usr/bin/curl',
    arch: 'x86_64',
    nr: 41,
    name: 'socket',
    compat: false,
    action: 'errno',
    code: '0x50001',
    ip: '0x7f00',
    raw: 'type=SECCOMP msg=audit(1795933840.675:75): pid=2000 comm="curl" code=0x50001',
    ...changes,
  };
}

describe('writeSeccompPartsJson by the module', () => {
  it('writes what JSON.stringify writes for the usual events, and the module writes them', () => {
    let module = 0;
    fc.assert(
      fc.property(moduleParts, (p) => {
        const w = written(p);
        module += w.module;
        expect(w.js).toBe(0);
      }),
      { numRuns: 3000 },
    );
    expect(module).toBe(3000 * 3);
  });

  it('leaves to the JS writer what the module does not write as JSON.stringify does, which writes it', () => {
    for (const changes of [
      { comm: 'caf\u00e9' },
      { subj: 'system_u:\u2028' },
      { raw: 'type=SECCOMP \ud800 lone surrogate' },
      { pid: 0.5 },
      { exit: 2 ** 53 + 2 },
      { sig: 1e21 },
      { ses: NaN },
      { raw: 'x'.repeat(16385) },
      { cmdline: 'a'.repeat(20000) },
      { host: 'h'.repeat(5000) },
    ])
      expect(written(usual(changes)), JSON.stringify(changes).slice(0, 60)).toEqual({ module: 0, js: 3 });
    expect(written(usual({}))).toEqual({ module: 3, js: 0 });
  });

  it('registers its pieces again when their store is full', () => {
    // Each boot id and second makes new pieces (stamp, stream): thousands of them fill the store.
    let module = 0;
    for (let i = 0; i < 12000; i++) {
      const w = written(
        usual({
          bootId: `boot-${i % 5000}-${'b'.repeat(i % 97)}`,
          sec: 1795933840 + i,
          host: `host-${i % 3001}`,
          nr: i % 7 === 0 ? 0x40000000 + i : i % 400,
          code: `0x${(0x50000 + (i % 300)).toString(16)}`,
        }),
      );
      module += w.module;
    }
    expect(module).toBe(12000 * 3);
  });
});
