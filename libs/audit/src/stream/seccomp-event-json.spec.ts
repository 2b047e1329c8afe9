import type { SecurityEvent } from '@sandtrap/events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuditRecord, SiblingFields } from '../record/audit-record.js';
import { AuditStreamParser, parseAuditText, type AuditSink } from './audit-stream-parser.js';
import { putString, seccompEventJsonMaxBytes, writeSeccompEventJson } from './seccomp-event-json.js';
import { seccompPartsJsonMaxBytes, writeSeccompPartsJson } from './seccomp-parts-json.js';
import {
  newSeccompEventParts,
  seccompEvent,
  seccompEventOfParts,
  seccompEventParts,
  type EventDefaults,
  type SeccompEventParts,
} from './seccomp-event.js';

/** What the CLI writes for an event, against JSON.stringify as UTF-8. */
function check(event: SecurityEvent): void {
  const expected = Buffer.from(JSON.stringify(event), 'utf8');
  const room = seccompEventJsonMaxBytes(event);
  expect(room).toBeGreaterThanOrEqual(expected.length);
  // Written at an offset into dirty memory, as into the CLI's output buffer.
  const buf = Buffer.alloc(room + 10, 0xee);
  const end = writeSeccompEventJson(event, buf, 7);
  expect(buf.subarray(7, end).toString('latin1')).toBe(expected.toString('latin1'));
}

const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex').toUpperCase();
const STAMP = 'audit(1795933840.675:75):';

/** Strings JSON.stringify treats specially, short and past the length where the writer changes method. */
const AWKWARD = [
  '',
  'plain',
  'a"b',
  'back\\slash',
  'tab\there',
  'nl\nand\rcr',
  '\u0000\u0001\u001f\u007f',
  '\b\f',
  'é',
  '😀',
  '\u2028\u2029',
  '\ud800',
  'x\udc00y',
  '\ud83d\ude00\ud83d',
  `${'long '.repeat(10)}"quoted" and \\ and \t and \u0003 at the end`,
  `${'y'.repeat(40)}\ud800`,
  `${'z'.repeat(40)}é`,
  '"'.repeat(50),
  '\u0001'.repeat(40),
];
const text = fc.oneof(
  fc.constantFrom(...AWKWARD),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 80 }),
);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const integer = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom(4294967295, 2 ** 53 - 1, 2 ** 53 + 2, 1e21, -0, 1e16 - 1, 0.5, NaN, Infinity),
);

/** Events in seccompEvent's shape (its keys in its order), with any values. */
const events = fc
  .record({
    eventKey: text,
    observedAt: text,
    host: text,
    bootId: maybe(text),
    source: text,
    process: maybe(
      fc.record({
        pid: maybe(integer),
        ppid: maybe(integer),
        uid: maybe(integer),
        gid: maybe(integer),
        auid: maybe(integer),
        ses: maybe(integer),
        comm: maybe(text),
        exe: maybe(text),
        cmdline: maybe(text),
      }),
    ),
    container: maybe(fc.record({ id: maybe(text) })),
    syscall: maybe(
      fc.record({ arch: maybe(text), nr: maybe(integer), name: maybe(text), compat: maybe(fc.boolean()) }),
    ),
    action: text,
    signal: maybe(fc.oneof(fc.record({ nr: integer }), fc.record({ nr: integer, name: text }))),
    blocked: fc.boolean(),
    details: fc.array(
      fc.tuple(fc.constantFrom('code', 'ip', 'subj', 'exit', 'unknownCode', 'x"y'), fc.anything()),
    ),
    raw: maybe(text),
  })
  .map(
    (r) =>
      ({
        eventKey: r.eventKey,
        observedAt: r.observedAt,
        host: r.host,
        bootId: r.bootId,
        source: r.source,
        kind: 'seccomp',
        process: r.process,
        container: r.container,
        syscall: r.syscall,
        action: r.action,
        signal: r.signal,
        blocked: r.blocked,
        details: Object.fromEntries(r.details),
        raw: r.raw,
      }) as SecurityEvent,
  );

const body = (comm: string, exe: string) =>
  `auid=1000 uid=0 gid=0 ses=4294967295 subj==docker-default (enforce) pid=7 comm=${comm} exe=${exe} sig=31 arch=c000003e syscall=-1 compat=0 ip=0x7f code=0x7fff0001`;

/** Lines of every shape the parser reads, with the awkward strings in every field they reach. */
function awkwardLines(): string[] {
  const lines: string[] = [];
  let serial = 1;
  for (const s of AWKWARD) {
    const stamp = `audit(1795933840.675:${serial++}):`;
    lines.push(
      `node=${s.replaceAll(' ', '_') || 'n'} type=SECCOMP msg=${stamp} ${body(hex(s), '(null)')}`,
      `type=PROCTITLE msg=${stamp} proctitle=${hex(`${s}\u0000arg`)}`,
      `type=CWD msg=${stamp} cwd=${hex(s)}`,
      `type=SYSCALL msg=${stamp} arch=c000003e syscall=1 success=no exit=-1 ppid=3 pid=7 key=${hex(s)}`,
      `type=CONTAINER_ID msg=${stamp} contid=${hex(s)}`,
      `type=EOE msg=${stamp}`,
      JSON.stringify({
        _TRANSPORT: 'audit',
        _AUDIT_TYPE: '1326',
        _AUDIT_ID: String(serial++),
        _HOSTNAME: s || 'h',
        _BOOT_ID: s,
        _SOURCE_REALTIME_TIMESTAMP: '1795933840675000',
        MESSAGE: `SECCOMP ${body(`"${s.replaceAll('"', '')}"`, hex(s))}`,
      }),
      `audit: type=1326 audit(1795933840.675:${serial++}): ${body('"a"', '"/b"').replace('code=0x7fff0001', 'code=0x0')}`,
    );
  }
  lines.push(
    `type=ANOM_ABEND msg=${STAMP} auid=1 uid=0 gid=0 ses=1 pid=5 comm="a" reason="seccomp" sig=12 syscall=2 compat=0 ip=0x4 code=0x0`,
  );
  return lines;
}

describe('writeSeccompEventJson', () => {
  it('writes what JSON.stringify writes for the events of every shape the parser reads', () => {
    const out = parseAuditText(awkwardLines().join('\n'), { host: 'default', bootId: 'b\u0007' });
    const produced = out.flatMap((o) => (o.type === 'event' ? [o.event] : []));
    expect(produced.length).toBeGreaterThan(AWKWARD.length * 2);
    for (const event of produced) check(event);
  });

  it('writes what JSON.stringify writes for any values in that shape', () => {
    fc.assert(fc.property(events, check), { numRuns: 2000 });
  });
});

/** writeSeccompPartsJson against JSON.stringify of the event the same parts make, as UTF-8. */
function checkParts(p: SeccompEventParts): void {
  let json: string;
  try {
    json = JSON.stringify(seccompEventOfParts(p));
  } catch (error) {
    // A second no Date can hold: the writer throws the same.
    expect(() => writeSeccompPartsJson(p, Buffer.alloc(seccompPartsJsonMaxBytes(p)), 0)).toThrow(
      (error as Error).message,
    );
    return;
  }
  const expected = Buffer.from(json, 'utf8');
  const room = seccompPartsJsonMaxBytes(p);
  expect(room).toBeGreaterThanOrEqual(expected.length);
  for (const offset of [0, 1, 2, 3, 7]) {
    const buf = Buffer.alloc(room + 10, 0xee);
    const end = writeSeccompPartsJson(p, buf, offset);
    expect(buf.subarray(offset, end).toString('latin1')).toBe(expected.toString('latin1'));
  }
}

/** Parts with any values, in the types SeccompEventParts allows. */
const parts = fc
  .record({
    bootId: maybe(text),
    sec: fc.oneof(fc.constantFrom(1795933840, 0, 9999999999), integer),
    msec: fc.oneof(fc.integer({ min: 0, max: 999 }), integer),
    serial: fc.oneof(fc.nat(), integer),
    host: text,
    source: fc.constantFrom('auditd', 'kmsg', 'journald') as fc.Arbitrary<SeccompEventParts['source']>,
    pid: maybe(integer),
    ppid: maybe(integer),
    uid: maybe(integer),
    gid: maybe(integer),
    auid: maybe(integer),
    ses: maybe(integer),
    comm: maybe(text),
    exe: maybe(text),
    cmdline: maybe(text),
    containerId: maybe(text),
    arch: maybe(text),
    nr: maybe(integer),
    name: maybe(text),
    compat: maybe(fc.boolean()),
    action: fc.constantFrom(
      'kill_process',
      'kill_thread',
      'trap',
      'errno',
      'trace',
      'log',
      'allow',
      'user_notif',
    ),
    signalNr: maybe(integer),
    signalName: maybe(text),
    code: maybe(text),
    unknownCode: fc.boolean(),
    auditArch: maybe(text),
    syscallNr: maybe(integer),
    sig: maybe(integer),
    exeNull: fc.boolean(),
    ip: maybe(text),
    subj: maybe(text),
    reason: maybe(text),
    cwd: maybe(text),
    auditKey: maybe(text),
    exit: maybe(integer),
    raw: text,
  })
  .map((r) => r as SeccompEventParts);

/** Every record the parser turns into an event, with what seccompEvent is given for it. */
function recordsOf(lines: string[], options: EventDefaults) {
  const seen: [AuditRecord, string, SiblingFields | undefined, EventDefaults][] = [];
  const sink: AuditSink = {
    event: (record, raw, sibling, _line, defaults) => {
      seen.push([record, raw, sibling === undefined ? undefined : { ...sibling }, defaults]);
    },
    error: () => undefined,
    lost: () => undefined,
  };
  const parser = new AuditStreamParser(options);
  for (const line of lines) parser.pushTo(sink, line, undefined, 0);
  parser.flushTo(sink);
  return seen;
}

describe('writeSeccompPartsJson', () => {
  it('writes JSON.stringify(seccompEvent(...)) for every record the parser reads, or throws as it does', () => {
    const lines = [
      ...awkwardLines(),
      `type=SECCOMP msg=${STAMP} auid=1 pid=2 comm="x" exe="/y" sig=0 arch=c000003e syscall=1 compat=0 ip=0x1`,
      `type=SECCOMP msg=${STAMP} auid=1 pid=2 comm="x" exe="/y" sig=0 arch=c000003e compat=0 ip=0x1 code=0x0`,
      `type=SECCOMP msg=${STAMP} auid=1 pid=2 comm="x" exe="/y" sig=0 arch=c000003e syscall=1 compat=0 code=0xzz`,
      `type=SECCOMP msg=${STAMP} auid=1 pid=2 comm="x" exe=(null) sig=200 arch=12345678 syscall=-7 code=0x12345678`,
      `type=SECCOMP msg=${STAMP} comm=\x00 sig=12 arch=80000008 syscall=4001 code=0x80000000`,
    ];
    let events = 0;
    let errors = 0;
    for (const options of [
      { host: 'default', bootId: 'b\u0007' },
      {},
      { host: 'h', source: 'kmsg' as const },
    ])
      for (const [record, raw, sibling, defaults] of recordsOf(lines, options)) {
        let expected: string | Error;
        try {
          expected = JSON.stringify(seccompEvent(record, raw, sibling, defaults));
        } catch (error) {
          expected = error as Error;
        }
        const p = newSeccompEventParts();
        let written: string | Error;
        try {
          seccompEventParts(record, raw, sibling, defaults, p);
          const buf = Buffer.alloc(seccompPartsJsonMaxBytes(p));
          written = buf.subarray(0, writeSeccompPartsJson(p, buf, 0)).toString('utf8');
          events++;
        } catch (error) {
          written = error as Error;
          errors++;
        }
        expect(written).toEqual(expected);
      }
    expect(events).toBeGreaterThan(AWKWARD.length * 2);
    expect(errors).toBeGreaterThan(0);
  });

  it('writes what JSON.stringify writes for the event of any parts', () => {
    fc.assert(fc.property(parts, checkParts), { numRuns: 3000 });
  });
});

describe('putString', () => {
  it('writes what JSON.stringify writes for long strings of every ASCII character, and past ASCII', () => {
    const ascii = fc.integer({ min: 0, max: 127 }).map((c) => String.fromCharCode(c));
    const other = fc.constantFrom('\u00e9', '\u2028', '\ud800', '\ud83d\ude00', '\u0000');
    const text = fc.oneof(
      fc.string({ unit: ascii, minLength: 0, maxLength: 300 }),
      fc.string({
        unit: fc.oneof({ weight: 20, arbitrary: ascii }, { weight: 1, arbitrary: other }),
        maxLength: 300,
      }),
      fc.string({ unit: ascii, minLength: 16000, maxLength: 17000 }),
    );
    const buf = Buffer.alloc(17000 * 6 + 64);
    fc.assert(
      fc.property(text, fc.nat(7), (s, at) => {
        const end = putString(buf, at, s);
        expect(buf.toString('utf8', at, end)).toBe(JSON.stringify(s));
      }),
      { numRuns: 1000 },
    );
  });
});
