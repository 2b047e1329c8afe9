import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuditStreamParser } from '../stream/audit-stream-parser.js';
import { parseAuditLine } from './parse-audit-line.js';

const BODY =
  'auid=1000 uid=1000 gid=1000 ses=3 subj==docker-default (enforce) pid=4217 comm=57656220436F6E74656E74 exe="/usr/bin/curl" sig=31 arch=c000003e syscall=1073741865 compat=1 ip=0x7f code=0x80000000';
const STAMP = 'audit(1795933840.675:75):';
const VALID = [
  `type=SECCOMP msg=${STAMP} ${BODY}`,
  `node=n1 type=SECCOMP msg=${STAMP} ${BODY}\x1dAUID="app" ARCH=x86_64 SYSCALL=socket`,
  `5,1,2,-;audit: type=1326 ${STAMP} ${BODY}`,
  `Nov 29 06:00:01 db kernel: [ 1.0] audit: type=1326 ${STAMP} ${BODY}`,
  `type=PROCTITLE msg=${STAMP} proctitle=2F746D702F736C700031`,
  `type=EXECVE msg=${STAMP} argc=2 a0="ls" a1=2F612062`,
  JSON.stringify({
    _TRANSPORT: 'audit',
    _AUDIT_TYPE: '1326',
    _AUDIT_ID: '75',
    _SOURCE_REALTIME_TIMESTAMP: '1795933840675000',
    MESSAGE: `SECCOMP ${BODY}`,
  }),
  '[ 3.0] kauditd_printk_skb: 4 callbacks suppressed',
];
const KINDS = new Set(['record', 'lost', 'skip', 'error']);

/** A valid line with a few random edits: deletions, insertions, duplications. */
const mutated = fc
  .tuple(
    fc.constantFrom(...VALID),
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.nat(40),
        fc.string({ unit: 'binary', maxLength: 12 }),
        fc.constantFrom('del', 'ins', 'dup'),
      ),
      { maxLength: 6 },
    ),
  )
  .map(([line, edits]) => {
    let s = line;
    for (const [at, len, text, op] of edits) {
      const i = at % (s.length + 1);
      if (op === 'del') s = s.slice(0, i) + s.slice(i + len);
      else if (op === 'ins') s = s.slice(0, i) + text + s.slice(i);
      else s = s.slice(0, i) + s.slice(i, i + len) + s.slice(i);
    }
    return s;
  });

describe('parseAuditLine under random input', () => {
  it('never throws on random strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (line) => {
        expect(KINDS.has(parseAuditLine(line).kind)).toBe(true);
      }),
      { numRuns: 3000, interruptAfterTimeLimit: 5000 },
    );
  });

  it('never throws on mutated valid lines, and the stream keeps going', () => {
    const parser = new AuditStreamParser({ host: 'h', holdMs: 0 });
    fc.assert(
      fc.property(mutated, (line) => {
        expect(KINDS.has(parseAuditLine(line).kind)).toBe(true);
        parser.push(line);
        // After any garbage, a good line still gives its event.
        expect(parser.push(VALID[0]).map((o) => o.type)).toEqual(['event']);
      }),
      { numRuns: 3000, interruptAfterTimeLimit: 8000 },
    );
  });

  it('stays linear on long adversarial lines (no quadratic rescans)', () => {
    const n = 60_000;
    const adversarial = [
      `type=SECCOMP msg=${STAMP} ${'subj=a '.repeat(n / 7)}`,
      `type=SECCOMP msg=${STAMP} ${'a="b" '.repeat(n / 6)}`,
      `type=SECCOMP msg=${STAMP} ${'x'.repeat(n)}`,
      `type=EXECVE msg=${STAMP} ${'a1=41 '.repeat(n / 6)}`,
      `5,${'1,'.repeat(n / 2)}`,
      `${'[ '.repeat(n / 2)}kauditd_printk_skb: 1`,
      `${'audit: type='.repeat(n / 12)}`,
      `{"MESSAGE":"${'\\"'.repeat(n / 2)}"}`,
      fc.sample(fc.string({ unit: 'binary', minLength: n, maxLength: n }), 1)[0],
    ];
    for (const line of adversarial) {
      const start = performance.now();
      for (let i = 0; i < 5; i++) parseAuditLine(line);
      const perLine = (performance.now() - start) / 5;
      // Linear work on 60 KB is well under a millisecond; a quadratic scan takes seconds.
      expect(perLine, line.slice(0, 40)).toBeLessThan(150);
    }
  });
});
