import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SECCOMP_KEYS } from '../record/record-body.js';
import { parseAuditBytes } from '../stream/audit-bytes.js';
import { AuditStreamParser, parseAuditText, type AuditParserOptions } from '../stream/audit-stream-parser.js';

// The byte reader must give exactly what the string parser gives for the decoded line: outputs,
// their order, the holding of events for siblings, and the stats.

const BODY =
  'auid=1000 uid=1000 gid=1000 ses=3 subj==docker-default (enforce) pid=4217 comm=57656220436F6E74656E74 exe="/usr/bin/curl" sig=31 arch=c000003e syscall=1073741865 compat=1 ip=0x7f code=0x80000000';
const BODY2 =
  'auid=4294967295 uid=0 gid=0 ses=4294967295 subj=system_u:system_r:container_t:s0:c83,c152 pid=1 comm="a b" exe=(null) sig=0 arch=40000003 syscall=-1 compat=1 ip=0x0 code=0x7ffc0000';
const BODY3 =
  'pid=5 comm=? exe=2F746D702F782028646574656C656429 sig=12 arch=80000008 syscall=5040 compat=0 code=0xffff0000';
const STAMP = 'audit(1795933840.675:75):';
const STAMP2 = 'audit(1795933840.675:76):';
const journald = (fields: Record<string, string>): string => JSON.stringify(fields);
const VALID = [
  `type=SECCOMP msg=${STAMP} ${BODY}`,
  `type=SECCOMP msg=${STAMP2} ${BODY2}`,
  `type=SECCOMP msg=${STAMP} ${BODY3}`,
  `node=n1 type=SECCOMP msg=${STAMP} ${BODY}\x1dAUID="app" ARCH=x86_64 SYSCALL=socket`,
  `node=web-2 type=SECCOMP msg=${STAMP2} ${BODY2}\x1dAUID="unset"`,
  `5,1,2,-;audit: type=1326 ${STAMP} ${BODY}`,
  `6,1,2,-,caller=T55;audit: type=1326 ${STAMP2} ${BODY3}`,
  `[ 12.5] audit: type=1326 ${STAMP} ${BODY2}`,
  `<5>[    T55] audit: type=1326 ${STAMP} ${BODY}`,
  `audit: type=1326 ${STAMP} ${BODY}`,
  `Nov 29 06:00:01 db kernel: [ 1.0] audit: type=1326 ${STAMP} ${BODY}`,
  `Nov 29 06:00:01 kernel: audit: type=1326 ${STAMP2} ${BODY3}`,
  `type=SYSCALL msg=${STAMP} arch=c000003e syscall=41 success=no exit=-1 ppid=1 pid=4217 key="k"`,
  `type=PROCTITLE msg=${STAMP} proctitle=2F746D702F736C700031`,
  `type=EXECVE msg=${STAMP2} argc=2 a0="ls" a1=2F612062`,
  `type=CWD msg=${STAMP} cwd="/root"`,
  `type=CONTAINER_ID msg=${STAMP} contid=abc`,
  `type=EOE msg=${STAMP}`,
  `type=PATH msg=${STAMP} item=0 name="/x"`,
  `type=UNKNOWN[1326] msg=${STAMP} ${BODY}`,
  `audit: type=1701 audit(1343000000.123:42): pid=5 comm="a" reason="seccomp" sig=31 syscall=2 compat=0 ip=0x4 code=0x0`,
  `audit: type=1300 ${STAMP} arch=c000003e syscall=41 ppid=3`,
  `audit: type=1400 ${STAMP} apparmor="DENIED"`,
  '[ 3.0] kauditd_printk_skb: 4 callbacks suppressed',
  'Nov 29 06:00:01 db kernel: [ 1.0] usb 1-1: new device',
  journald({
    _TRANSPORT: 'audit',
    _AUDIT_TYPE: '1326',
    _AUDIT_ID: '75',
    _HOSTNAME: 'j-1',
    _BOOT_ID: 'b0',
    _SOURCE_REALTIME_TIMESTAMP: '1795933840675000',
    MESSAGE: `SECCOMP ${BODY2}`,
  }),
  journald({
    _TRANSPORT: 'audit',
    _AUDIT_TYPE: '1326',
    _AUDIT_ID: '76',
    __REALTIME_TIMESTAMP: '1795933840675000',
    MESSAGE: `SECCOMP ${BODY}`,
    _PID: '1',
  }),
  journald({ _TRANSPORT: 'kernel', _HOSTNAME: 'j', MESSAGE: `audit: type=1326 ${STAMP} ${BODY}` }),
  journald({
    _TRANSPORT: 'audit',
    _AUDIT_TYPE: '1327',
    _AUDIT_ID: '75',
    MESSAGE: 'PROCTITLE proctitle=6C73',
  }),
  journald({ _TRANSPORT: 'syslog', MESSAGE: 'hello \\ "there" /' }),
  '{"_TRANSPORT":"audit","_AUDIT_TYPE":"1326","_AUDIT_ID":"7","_SOURCE_REALTIME_TIMESTAMP":"17959338406750001","MESSAGE":"SECCOMP pid=1 arch=c000003e syscall=1 code=0x0"}',
  '{"_TRANSPORT":"audit", "_AUDIT_TYPE":1326}',
  '',
];

// Bytes the mutations insert: every kind of delimiter, control bytes, and bytes that are not UTF-8.
const INSERTS = [
  ' ',
  '=',
  '"',
  '\\',
  '\x1d',
  '\r',
  '\0',
  ',',
  ';',
  ':',
  '{',
  '}',
  ' pid=',
  'u',
  '0',
  'F',
  '\t',
].map((s) => Buffer.from(s, 'latin1'));
const byteInsert = fc.oneof(
  fc.constantFrom(...INSERTS),
  fc.uint8Array({ minLength: 1, maxLength: 4 }).map((b) => Buffer.from(b)),
  fc.constantFrom(
    Buffer.from([0xc3, 0xa9]),
    Buffer.from([0xff]),
    Buffer.from([0xe2, 0x82]),
    Buffer.from([0x80]),
  ),
);

/** A valid line with a few random byte edits: deletions, insertions, duplications, replacements. */
const mutated = fc
  .tuple(
    fc.constantFrom(...VALID),
    fc.array(fc.tuple(fc.nat(), fc.nat(12), byteInsert, fc.constantFrom('del', 'ins', 'dup', 'set')), {
      maxLength: 4,
    }),
  )
  .map(([line, edits]) => {
    let b = Buffer.from(line, 'utf8');
    for (const [at, len, ins, op] of edits) {
      const i = at % (b.length + 1);
      if (op === 'del') b = Buffer.concat([b.subarray(0, i), b.subarray(i + len)]);
      else if (op === 'ins') b = Buffer.concat([b.subarray(0, i), ins, b.subarray(i)]);
      else if (op === 'dup')
        b = Buffer.concat([b.subarray(0, i + len), b.subarray(i, i + len), b.subarray(i + len)]);
      else b = Buffer.concat([b.subarray(0, i), ins, b.subarray(i + ins.length)]);
    }
    return b;
  });

// SECCOMP lines built field by field: the kernel's keys, mostly in its order, with values in
// every form the byte reader takes or must hand back.
const digits = fc
  .tuple(fc.constantFrom('', '-', '--'), fc.integer({ min: 0, max: 18 }), fc.nat())
  .map(([sign, n, seed]) => sign + String(seed).padEnd(n, '7').slice(0, n));
const asciiText = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 12,
});
const hex = (upper: boolean) =>
  fc.uint8Array({ maxLength: 10 }).map((b) => {
    const h = Buffer.from(b).toString('hex');
    return upper ? h.toUpperCase() : h;
  });
const stringValue = fc.oneof(
  asciiText.map((t) => `"${t}"`),
  hex(true),
  hex(true).map((h) => `${h}00`),
  hex(false),
  fc.constantFrom('?', '(null)', '', '"', '"a', 'a"b"', '00', '2F612000'),
  asciiText.map((t) => t.replaceAll(' ', '')),
);
const VALUE: Record<string, fc.Arbitrary<string>> = {
  subj: fc.oneof(asciiText, fc.constantFrom('=docker-default (enforce)', '"q"', '', 'a pid', 'x pid=')),
  comm: stringValue,
  exe: stringValue,
  reason: fc.constantFrom('"seccomp"', 'x'),
  arch: fc.oneof(
    hex(false),
    hex(true),
    fc.constantFrom('c000003e', 'C000003E', '0000003e', '8', '"c000003e"', 'zz', ''),
  ),
  ip: fc.oneof(
    hex(false).map((h) => `0x${h}`),
    fc.constantFrom('"0x1"', ''),
  ),
  code: fc.oneof(
    hex(false).map((h) => `0x${h}`),
    fc.constantFrom('0x7ffc0000', '0X0', '0x', 'x', '"0x0"', ''),
  ),
};
/** The SECCOMP record's keys in the kernel's order (the string parser's own table). */
const KEYS = SECCOMP_KEYS;
const field = (key: string) =>
  (
    VALUE[key] ??
    fc.oneof(
      digits,
      digits.map((d) => `"${d}"`),
    )
  ).map((v) => `${key}=${v}`);
const PREFIXES = [
  'type=SECCOMP msg=',
  'node=n1 type=SECCOMP msg=',
  '5,1,2,-;audit: type=1326 ',
  '[ 1.5] audit: type=1326 ',
  'host kernel: audit: type=1326 ',
];
const built = fc
  .tuple(
    fc.constantFrom(...PREFIXES),
    fc.subarray(KEYS, { minLength: 1 }),
    fc.boolean(),
    fc.constantFrom(' ', '  ', ''),
    fc.constantFrom('', '\x1dAUID="unset"', ' ', '\x1d'),
  )
  .chain(([prefix, keys, shuffle, sep, tail]) =>
    fc
      .tuple(...keys.map(field))
      .chain((fields) =>
        shuffle ? fc.shuffledSubarray(fields, { minLength: fields.length }) : fc.constant(fields),
      )
      .map((fields) =>
        Buffer.from(`${prefix}${STAMP} ${fields.join(sep || ' ')}${tail.replace('\\x1d', '\x1d')}`, 'latin1'),
      ),
  );

const anyLine = fc.oneof(
  { weight: 4, arbitrary: built },
  { weight: 6, arbitrary: mutated },
  { weight: 2, arbitrary: fc.constantFrom(...VALID).map((l) => Buffer.from(l, 'utf8')) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map((s) => Buffer.from(s, 'utf8')) },
);

/** Both parsers over the same lines, the line set in a larger buffer at some offset. */
function compareLines(lines: Buffer[], options: AuditParserOptions): void {
  const text = new AuditStreamParser(options);
  const bytes = new AuditStreamParser(options);
  lines.forEach((line, i) => {
    const pad = i % 3;
    // Bytes around the line (a newline and a digit) must not be read as part of it.
    const framed = Buffer.concat([Buffer.from('9\n7'.slice(0, pad)), line, Buffer.from('\n5')]);
    const now = 1000 + 20 * i;
    const want = text.push(line.toString('utf8'), undefined, now);
    expect(bytes.pushBytes(framed, pad, pad + line.length, undefined, now), line.toString('latin1')).toEqual(
      want,
    );
  });
  expect(bytes.tick(5000)).toEqual(text.tick(5000));
  expect(bytes.flush()).toEqual(text.flush());
  expect(bytes.stats).toEqual(text.stats);
}

describe('AuditStreamParser.pushBytes against push', () => {
  it('gives the same outputs for every valid shape, one by one and in sequence', () => {
    compareLines(
      VALID.map((l) => Buffer.from(l, 'utf8')),
      { host: 'h', bootId: 'boot' },
    );
    for (const line of VALID) compareLines([Buffer.from(line, 'utf8')], { holdMs: 0 });
  });

  it('gives the same outputs for mutated and random lines', () => {
    fc.assert(
      fc.property(fc.array(anyLine, { minLength: 1, maxLength: 12 }), fc.boolean(), (lines, withHost) => {
        compareLines(lines, withHost ? { host: 'h', maxHeld: 4 } : { holdMs: 0 });
      }),
      { numRuns: 4000, interruptAfterTimeLimit: 20_000 },
    );
  });

  it('bounds lines by their UTF-8 size as push does', () => {
    fc.assert(
      fc.property(fc.array(anyLine, { minLength: 1, maxLength: 6 }), fc.nat(300), (lines, max) => {
        compareLines(lines, { host: 'h', maxLineBytes: max });
      }),
      { numRuns: 1000, interruptAfterTimeLimit: 10_000 },
    );
    // Invalid UTF-8 decodes to U+FFFD (three bytes): 40 such bytes make 120.
    const line = Buffer.concat([Buffer.from(`type=PATH msg=${STAMP} name=`), Buffer.alloc(40, 0xff)]);
    compareLines([line], { host: 'h', maxLineBytes: 100 });
  });
});

describe('parseAuditBytes against parseAuditText', () => {
  it('cuts lines the same way (CRLF, a last line without newline, empty lines)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(anyLine, fc.constantFrom('\n', '\r\n', '\r\r\n', '\n\n')), { maxLength: 10 }),
        fc.boolean(),
        (pieces, lastNewline) => {
          const parts = pieces.flatMap(([line, nl]) => [line, Buffer.from(nl)]);
          if (!lastNewline && parts.length > 0) parts.pop();
          const bytes = Buffer.concat(parts);
          const options = { host: 'h', bootId: 'b' };
          expect(parseAuditBytes(bytes, options)).toEqual(parseAuditText(bytes.toString('utf8'), options));
        },
      ),
      { numRuns: 1500, interruptAfterTimeLimit: 10_000 },
    );
  });

  it('takes a plain Uint8Array and shared memory as it takes a Buffer', () => {
    const text = `${VALID.join('\n')}\n`;
    const want = parseAuditText(text, { host: 'h' });
    const bytes = Buffer.from(text);
    const shared = new Uint8Array(new SharedArrayBuffer(bytes.length + 3), 3);
    shared.set(bytes);
    expect(parseAuditBytes(new Uint8Array(bytes), { host: 'h' })).toEqual(want);
    expect(parseAuditBytes(shared, { host: 'h' })).toEqual(want);
  });

  it('holds events for their siblings and EOE as the text parser does', () => {
    const event = (serial: number) => [
      `type=SYSCALL msg=audit(1795933840.675:${serial}): arch=c000003e syscall=41 ppid=9 pid=4217`,
      `type=SECCOMP msg=audit(1795933840.675:${serial}): ${BODY}`,
      `type=PROCTITLE msg=audit(1795933840.675:${serial}): proctitle=2F746D702F736C700031`,
      `type=EOE msg=audit(1795933840.675:${serial}):`,
    ];
    const text = [...event(1), ...event(2).slice(1), ...event(3).slice(0, 2), ...event(4)].join('\r\n');
    const out = parseAuditBytes(Buffer.from(text), { host: 'h' });
    expect(out).toEqual(parseAuditText(text, { host: 'h' }));
    expect(out.map((o) => (o.type === 'event' ? o.event.process?.cmdline : o.type))).toEqual([
      '/tmp/slp 1',
      '/tmp/slp 1',
      '/tmp/slp 1',
      // Serial 3 had no EOE: out at the end.
      undefined,
    ]);
  });
});
