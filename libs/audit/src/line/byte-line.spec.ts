import { describe, expect, it } from 'vitest';
import { parseLineBytes } from './byte-line.js';
import { parseLine } from './parse-audit-line.js';

const STAMP = 'audit(1795933840.675:75):';
const BODY =
  'auid=4294967295 uid=1000 gid=1000 ses=4294967295 subj==docker-default (enforce) pid=2000 comm="curl" exe="/usr/bin/app0" sig=0 arch=c000003e syscall=1073741865 compat=1 ip=0x7f0 code=0x7ffc0000';
const HEX =
  'pid=7 comm=57656220436F6E74656E74 exe=(null) sig=31 arch=c00000b7 syscall=198 compat=0 ip=0x1 code=0x80000000';

/** parseLineBytes over the line set between other bytes, as in a chunk. */
function fromBytes(line: string, bootId?: string) {
  const bytes = Buffer.from(`x\n${line}\n5`, 'utf8');
  return parseLineBytes(bytes, 2, bytes.length - 2, 65536, bootId);
}

describe('parseLineBytes', () => {
  // What the byte reader takes itself (not handing the line back): each equal to parseLine's answer.
  const taken = [
    `type=SECCOMP msg=${STAMP} ${BODY}`,
    `node=web-1 type=SECCOMP msg=${STAMP} ${HEX}\x1dAUID="unset" ARCH=aarch64`,
    `5,2,34,-;audit: type=1326 ${STAMP} ${BODY}`,
    `[ 0.003000] audit: type=1326 ${STAMP} ${HEX}`,
    `Nov 29 06:00:01 db-0 kernel: [ 270.852] audit: type=1326 ${STAMP} ${BODY}`,
    JSON.stringify({
      _TRANSPORT: 'audit',
      _AUDIT_TYPE: '1326',
      _AUDIT_ID: '6',
      _HOSTNAME: 'j-1',
      _BOOT_ID: '6c1f2a7e',
      _SOURCE_REALTIME_TIMESTAMP: '1795900000005000',
      MESSAGE: `SECCOMP ${BODY}`,
    }),
    `type=PATH msg=${STAMP} item=0 name="/x"`,
    `audit: type=1400 ${STAMP} apparmor="DENIED"`,
    JSON.stringify({ _TRANSPORT: 'syslog', MESSAGE: 'x' }),
  ];

  it.each(taken)('reads %s itself, as parseLine does', (line) => {
    const got = fromBytes(line, 'boot');
    expect(got).toBeDefined();
    expect(got).toEqual(parseLine(line, 65536, 'boot'));
  });

  it('reads the fields of each shape', () => {
    const auditd = fromBytes(`node=web-1 type=SECCOMP msg=${STAMP} ${HEX}\x1dAUID="unset"`);
    expect(auditd).toMatchObject({
      kind: 'record',
      record: { shape: 'enriched', host: 'web-1', serial: 75, sec: 1795933840, msec: 675 },
    });
    const fields = auditd?.kind === 'record' ? auditd.record.seccomp : undefined;
    expect(fields).toMatchObject({ pid: 7, comm: 'Web Content', exe: null, arch: 'c00000b7', syscall: 198 });
    const syslog = fromBytes(`Nov 29 06:00:01 db-0 kernel: [ 270.852] audit: type=1326 ${STAMP} ${BODY}`);
    expect(syslog).toMatchObject({ record: { shape: 'syslog', source: 'kmsg', host: 'db-0' } });
    const subj = syslog?.kind === 'record' ? syslog.record.seccomp?.subj : undefined;
    expect(subj).toBe('=docker-default (enforce)');
  });

  // Lines it hands back to parseLine: anything but the everyday forms.
  it.each([
    ['a sibling record', `type=SYSCALL msg=${STAMP} arch=c000003e syscall=41 ppid=1`],
    ['a lost count', '[ 3.0] kauditd_printk_skb: 4 callbacks suppressed'],
    ['bytes past ASCII', `type=SECCOMP msg=${STAMP} pid=1 comm="é" arch=c000003e syscall=1 code=0x0`],
    ['an unknown key', `type=SECCOMP msg=${STAMP} pid=1 pad=1 arch=c000003e syscall=1 code=0x0`],
    ['keys out of order', `type=SECCOMP msg=${STAMP} arch=c000003e pid=1 syscall=1 code=0x0`],
    ['a quoted number', `type=SECCOMP msg=${STAMP} pid="1" arch=c000003e syscall=1 code=0x0`],
    ['a bad stamp', `type=SECCOMP msg=audit(1795933840.67:75): pid=1`],
    ['a 0x1D in a kernel line', `audit: type=1326 ${STAMP} pid=1 code=0x0\x1dX`],
    [
      'a journald kernel entry',
      JSON.stringify({ _TRANSPORT: 'kernel', MESSAGE: `audit: type=1326 ${STAMP} pid=1` }),
    ],
    ['a journald \\n escape', JSON.stringify({ _TRANSPORT: 'audit', MESSAGE: 'a\nb' })],
    ['an empty line', ''],
  ])('hands %s back', (_what, line) => {
    expect(fromBytes(line)).toBeUndefined();
  });
});
