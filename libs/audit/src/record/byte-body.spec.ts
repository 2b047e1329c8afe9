import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuditParseError } from '../audit-error.js';
import { parseLineBytes, readLineBytes } from '../line/byte-line.js';
import { parseAuditBytes, pushAuditBytesTo } from '../stream/audit-bytes.js';
import {
  AuditStreamParser,
  auditOutputSink,
  parseAuditText,
  type AuditOutput,
  type AuditSink,
} from '../stream/audit-stream-parser.js';
import { bodyScan, bodyValues, bodyWindow, parseSeccompBodyBytes, seccompLineBytes } from './byte-body.js';
import { parseSeccompBody, SECCOMP_KEYS } from './record-body.js';

const KERNEL_BODY =
  'auid=4294967295 uid=1000 gid=1000 ses=4294967295 subj=docker-default (enforce) pid=4217 comm="curl" exe="/usr/bin/curl" sig=31 arch=c000003e syscall=41 compat=0 ip=0x7f3a2b1c code=0x80000000';

/** The string parser's fields for the body, or 'error' where it throws. */
function textFields(text: string): ReturnType<typeof parseSeccompBody> | 'error' {
  try {
    return parseSeccompBody(text, 0, text.length);
  } catch (error) {
    if (error instanceof AuditParseError) return 'error';
    throw error;
  }
}

/** parseSeccompBodyBytes of `bytes` in each place it reads from: a Buffer of its own, the window, journald's values. */
function byteFields(bytes: Buffer, line?: string) {
  const offset = 7;
  const own = Buffer.concat([Buffer.alloc(offset, 0x41), bytes]);
  const results = [];
  for (const [place, at] of [
    [own, offset],
    [bodyWindow, 100],
    [bodyValues, 3],
  ] as const) {
    if (place !== own) bytes.copy(place, at);
    const fields = parseSeccompBodyBytes(
      place,
      at,
      at + bytes.length,
      line === undefined ? undefined : ' '.repeat(at) + line,
    );
    results.push({ fields, end: fields === undefined ? undefined : bodyScan.end - at });
  }
  expect(results[1]).toEqual(results[0]);
  expect(results[2]).toEqual(results[0]);
  return results[0];
}

const value = fc.oneof(
  fc.constantFrom(
    '?',
    '(null)',
    '""',
    '"a b"',
    '-1',
    '-0',
    '0',
    '4294967295',
    '9007199254740993',
    '1234567890123456',
  ),
  fc.constantFrom(
    '12345678901234567',
    'c000003e',
    'C000003E',
    '0x7ffc0000',
    '2F746D70',
    'x\u00e9',
    '"ab\u001d"',
  ),
  fc.stringMatching(/^[0-9a-f]{0,18}$/),
  fc.stringMatching(/^"[ -!#-~]{0,40}"$/),
  fc.stringMatching(/^[!-~]{0,20}$/),
);
const field = fc.tuple(
  fc.constantFrom(...SECCOMP_KEYS, 'bogus'),
  value,
  fc.constantFrom(' ', '  ', '\u001d'),
);
const body = fc
  .array(field, { maxLength: 16 })
  .map((fields) => fields.map(([k, v, sep]) => `${k}=${v}${sep}`).join(''))
  .map((b) => b.trimEnd());

describe('parseSeccompBodyBytes (WebAssembly)', () => {
  it('reads the kernel body as the string parser does, through every place the bytes may be', () => {
    const result = byteFields(Buffer.from(KERNEL_BODY), KERNEL_BODY);
    expect(result.fields).toEqual(textFields(KERNEL_BODY));
    expect(result.fields?.subj).toBe('docker-default (enforce)');
    expect(result.end).toBe(KERNEL_BODY.length);
  });

  it('equals the string parser wherever it gives fields, for random and mutated bodies', () => {
    fc.assert(
      fc.property(fc.oneof(body, fc.string({ maxLength: 80 })), fc.boolean(), (text, sorted) => {
        // Keys in the kernel's order read fully; shuffled or bogus ones go to the string parser.
        const input = sorted ? text : text.split(' ').reverse().join(' ');
        const bytes = Buffer.from(input, 'utf8');
        const { fields, end } = byteFields(bytes, bytes.toString('latin1'));
        if (fields === undefined) return;
        const gs = input.indexOf('\u001d');
        expect(end).toBe(gs < 0 ? bytes.length : gs);
        expect(fields).toEqual(textFields(input.slice(0, gs < 0 ? input.length : gs)));
      }),
      { numRuns: 3000 },
    );
  });

  it('reads numbers of 16 digits as the string parser rounds them, and refuses 17', () => {
    for (const n of ['9007199254740993', '9999999999999999', '1234567890123457', '-9007199254740995']) {
      const text = `auid=${n} uid=0`;
      expect(byteFields(Buffer.from(text)).fields).toEqual(textFields(text));
    }
    expect(byteFields(Buffer.from('auid=12345678901234567')).fields).toBeUndefined();
  });

  it('keeps no value of a body it refuses, and forgets its values in bulk without mixing them up', () => {
    // `reason=` is refused after comm was interned: the next body with that comm must not find
    // an id whose string was never made.
    expect(byteFields(Buffer.from('comm="never-seen-1" reason=x')).fields).toBeUndefined();
    expect(byteFields(Buffer.from('comm="never-seen-1" exe=2F62696E')).fields).toMatchObject({
      comm: 'never-seen-1',
      exe: '/bin',
    });
    // Thousands of distinct values, then the first again: the table is emptied and refilled.
    for (let i = 0; i < 6000; i++) {
      const text = `comm="c${i}" exe="/e/${i}" arch=c00000b7 code=0x${i.toString(16)}`;
      const fields = parseSeccompBodyBytes(Buffer.from(text), 0, text.length);
      expect([fields?.comm, fields?.exe, fields?.code]).toEqual([`c${i}`, `/e/${i}`, `0x${i.toString(16)}`]);
    }
    expect(byteFields(Buffer.from('comm="c0" exe=41')).fields).toMatchObject({ comm: 'c0', exe: 'A' });
  });

  it('is the build of libs/audit/assembly/index.ts (node libs/audit/scripts/build-wasm.mjs)', () => {
    const script = fileURLToPath(new URL('../../scripts/build-wasm.mjs', import.meta.url));
    const run = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  }, 60_000);
});

const STAMP = 'audit(1795933840.675:75)';
const SHAPES = {
  auditd: `type=SECCOMP msg=${STAMP}: ${KERNEL_BODY}`,
  enriched: `node=web-1 type=SECCOMP msg=${STAMP}: ${KERNEL_BODY}\u001dAUID="unset" ARCH=x86_64 SYSCALL=socket`,
  kmsg: `5,1234,5678901,-;audit: type=1326 ${STAMP}: ${KERNEL_BODY}`,
  dmesg: `[ 270.852000] audit: type=1326 ${STAMP}: ${KERNEL_BODY}`,
  syslog: `Nov 29 06:00:01 db-4 kernel: [ 270.852] audit: type=1326 ${STAMP}: ${KERNEL_BODY}`,
};

// journald's JSON entries (the module reads their members), escapes and all.
const JOURNALD = [
  JSON.stringify({
    _TRANSPORT: 'audit',
    _AUDIT_TYPE: '1326',
    _AUDIT_ID: '75',
    _HOSTNAME: 'j-1',
    _BOOT_ID: '6c1f2a7e8b9d4e3fa1b2c3d4e5f6a7b8',
    _SOURCE_REALTIME_TIMESTAMP: '1795933840675000',
    MESSAGE: `SECCOMP ${KERNEL_BODY}`,
  }),
  `{"__CURSOR":"s=1\\/x;i=2","_TRANSPORT":"audit","_AUDIT_TYPE":"1326","_AUDIT_ID":"7","MESSAGE":"SECCOMP comm=\\"a\\\\b\\" exe=\\/bin","_SOURCE_REALTIME_TIMESTAMP":"1795933840675000","_HOSTNAME":"h","_HOSTNAME":"h2"}`,
  JSON.stringify({ _TRANSPORT: 'kernel', MESSAGE: `audit: type=1326 ${STAMP}: ${KERNEL_BODY}` }),
];

// Prefixes the kernel does not write, for the mutations to start from.
const ODD_PREFIXES = [
  `12;audit: type=1326 ${STAMP}: ${KERNEL_BODY}`,
  `1,2;x audit: type=1326 ${STAMP}: ${KERNEL_BODY}`,
  `host kernel: audit: type=1326 ${STAMP}: ${KERNEL_BODY}`,
  `node=h type=SECCOMP msg=${STAMP}:${KERNEL_BODY}\u001d`,
  `type=SECCOMP msg=audit(1795933840.67:75): ${KERNEL_BODY}`,
  `audit: type=01326 ${STAMP}: ${KERNEL_BODY}`,
];

/**
 * parseLineBytes of the line in the window and in a Buffer of its own (the module reads both),
 * and readLineBytes (JS) of it.
 */
function bothLines(text: string) {
  const bytes = Buffer.from(text, 'utf8');
  bytes.copy(bodyWindow, 40);
  const inWindow = parseLineBytes(bodyWindow, 40, 40 + bytes.length, 1 << 16, 'boot');
  const own = Buffer.concat([Buffer.from('xy'), bytes]);
  expect(parseLineBytes(own, 2, 2 + bytes.length, 1 << 16, 'boot')).toEqual(inWindow);
  return { inWindow, own: bytes.length === 0 ? undefined : readLineBytes(own, 2, 2 + bytes.length, 'boot') };
}

describe('SECCOMP lines read whole by the module (seccompLineBytes)', () => {
  it('reads every shape the kernel and auditd write as the JS byte reader does', () => {
    for (const [shape, text] of Object.entries(SHAPES)) {
      const bytes = Buffer.from(text);
      bytes.copy(bodyWindow, 0);
      expect(seccompLineBytes(bodyWindow, 0, bytes.length), shape).toBeDefined();
      const { inWindow, own } = bothLines(text);
      expect(inWindow, shape).toEqual(own);
      expect(inWindow?.kind === 'record' && inWindow.record.shape).toBe(shape);
    }
    for (const text of JOURNALD) {
      const { inWindow, own } = bothLines(text);
      expect(inWindow).toEqual(own);
    }
    expect(bothLines(JOURNALD[1]).inWindow).toMatchObject({
      kind: 'record',
      record: { host: 'h2', serial: 7 },
    });
    const { inWindow } = bothLines(SHAPES.syslog);
    expect(inWindow?.kind === 'record' && [inWindow.record.host, inWindow.record.serial]).toEqual([
      'db-4',
      75,
    ]);
  });

  it('equals the JS byte reader for mutated lines of every shape', () => {
    const mutation = fc.tuple(
      fc.oneof(fc.nat(60), fc.nat(400)),
      fc.nat(3),
      fc.boolean(),
      fc.constantFrom(' ', ':', '(', ')', '.', '0', '9', 'a', ';', ',', '\u00e9', '\u001d', 'kernel: '),
      // And for journald's JSON.
      fc.constantFrom('"', '\\', '\\/', '\\"', '\\n', '\\u0041', '{', '}', '\t', '"_HOSTNAME":"x",'),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.values(SHAPES), ...ODD_PREFIXES, ...JOURNALD),
        fc.array(mutation, { maxLength: 3 }),
        (line, mutations) => {
          let text = line;
          for (const [at, cut, json, insert, jsonInsert] of mutations) {
            const i = at % (text.length + 1);
            text = text.slice(0, i) + (json ? jsonInsert : insert) + text.slice(i + cut);
          }
          const { inWindow, own } = bothLines(text);
          expect(inWindow).toEqual(own);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('pushAuditBytesTo through the window', () => {
  it('reads input larger than the window, and lines longer than it, as the text parser does', () => {
    const lines: string[] = [];
    for (let i = 0; i < 6000; i++) {
      const shape = Object.values(SHAPES)[i % 5].replace(':75)', `:${i + 1})`);
      lines.push(i % 7 === 3 ? `${shape}\r` : shape);
      // A line longer than the window (half a MiB), then a record right after it.
      if (i === 2500) lines.push(`type=PATH msg=audit(1795933840.675:9): name=${'a'.repeat(600_000)}`);
    }
    const text = `${lines.join('\n')}\n${SHAPES.kmsg}`;
    expect(text.length).toBeGreaterThan(2 * bodyWindow.length);
    const options = { host: 'h', bootId: 'b', maxLineBytes: 1 << 20 };
    const out = parseAuditBytes(Buffer.from(text), options);
    expect(out).toEqual(parseAuditText(text, options));
    expect(out.filter((o) => o.type === 'event')).toHaveLength(6001);
  });
});

describe('forEachWindowLine when a sink reads through the window too', () => {
  it('gives each parser the outputs it gives alone', () => {
    const lines = (tag: number, n: number) =>
      Array.from({ length: n }, (_, i) => SHAPES.auditd.replace(':75)', `:${tag * 100000 + i + 1})`)).join(
        '\n',
      );
    const outer = Buffer.from(lines(1, 700));
    const inner = Buffer.from(lines(2, 90));
    const options = { host: 'h', holdMs: 0 };
    const got: AuditOutput[] = [];
    const nested: AuditOutput[] = [];
    const innerParser = new AuditStreamParser(options);
    const collect = auditOutputSink(got);
    const innerSink = auditOutputSink(nested);
    // Every tenth event, the sink parses another input through the window.
    let events = 0;
    const sink: AuditSink = {
      event: (...args) => {
        collect.event(...args);
        if (++events % 10 === 0) pushAuditBytesTo(innerParser, innerSink, inner);
      },
      error: (...args) => collect.error(...args),
      lost: (...args) => collect.lost(...args),
    };
    pushAuditBytesTo(new AuditStreamParser(options), sink, outer);
    expect(got).toEqual(parseAuditText(outer.toString(), options));
    expect(nested).toHaveLength(70 * 90);
    expect(nested.slice(0, 90)).toEqual(parseAuditText(inner.toString(), options));
  });
});
