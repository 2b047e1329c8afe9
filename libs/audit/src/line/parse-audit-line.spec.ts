import { describe, expect, it } from 'vitest';
import { parseAuditLine } from './parse-audit-line.js';
import type { ParsedAuditLine } from './parsed-audit-line.js';

// Bodies made on this machine with test/kernel/seccomp-log-probe.c, then varied by hand.
const BODY =
  'auid=4294967295 uid=0 gid=0 ses=4294967295 pid=10270 comm="slp" exe="/tmp/slp" sig=0 arch=c000003e syscall=110 compat=0 ip=0x7f93f4882829 code=0x7ffc0000';
const STAMP = 'audit(1795933840.675:75):';

function record(parsed: ParsedAuditLine) {
  if (parsed.kind !== 'record') throw new Error(`expected a record, got ${JSON.stringify(parsed)}`);
  return parsed.record;
}

describe('parseAuditLine shapes', () => {
  it('reads an auditd line', () => {
    const r = record(parseAuditLine(`type=SECCOMP msg=${STAMP} ${BODY}`));
    expect(r).toMatchObject({
      shape: 'auditd',
      source: 'auditd',
      type: 1326,
      sec: 1795933840,
      msec: 675,
      serial: 75,
    });
    expect(r.host).toBeUndefined();
    expect(r.seccomp).toEqual({
      auid: 4294967295,
      uid: 0,
      gid: 0,
      ses: 4294967295,
      pid: 10270,
      comm: 'slp',
      exe: '/tmp/slp',
      sig: 0,
      arch: 'c000003e',
      syscall: 110,
      compat: false,
      ip: '0x7f93f4882829',
      code: '0x7ffc0000',
    });
  });

  it('reads node= and the enriched tail', () => {
    const line = `node=web-1 type=SECCOMP msg=${STAMP} ${BODY}\x1dAUID="unset" UID="root" GID="root" ARCH=x86_64 SYSCALL=getppid`;
    const r = record(parseAuditLine(line));
    expect(r.shape).toBe('enriched');
    expect(r.host).toBe('web-1');
    expect(r.seccomp?.code).toBe('0x7ffc0000');
    expect(r.seccomp?.syscall).toBe(110);
  });

  it('reads auditd UNKNOWN[1326] as SECCOMP', () => {
    expect(record(parseAuditLine(`type=UNKNOWN[1326] msg=${STAMP} ${BODY}`)).typeName).toBe('SECCOMP');
  });

  it.each([
    ['kmsg', `5,1234,3190704065,-;audit: type=1326 ${STAMP} ${BODY}`, undefined],
    ['kmsg', `5,1234,3190704065,-,caller=T55;audit: type=1326 ${STAMP} ${BODY}`, undefined],
    ['dmesg', `[ 3190.704065] audit: type=1326 ${STAMP} ${BODY}`, undefined],
    ['dmesg', `[ 3190.704065] [   T55] audit: type=1326 ${STAMP} ${BODY}`, undefined],
    ['dmesg', `<5>audit: type=1326 ${STAMP} ${BODY}`, undefined],
    ['dmesg', `audit: type=1326 ${STAMP} ${BODY}`, undefined],
    ['syslog', `Jul  8 10:31:23 db-7 kernel: [  270.852] audit: type=1326 ${STAMP} ${BODY}`, 'db-7'],
    ['syslog', `<4>2026-11-29T06:31:00.123456+00:00 db-8 kernel: audit: type=1326 ${STAMP} ${BODY}`, 'db-8'],
  ])('reads the %s shape: %s', (shape, line, host) => {
    const r = record(parseAuditLine(line));
    expect(r.shape).toBe(shape);
    expect(r.source).toBe('kmsg');
    expect(r.host).toBe(host);
    expect(r.serial).toBe(75);
    expect(r.seccomp?.exe).toBe('/tmp/slp');
  });

  it('reads journald audit and kernel transports with the same stamp', () => {
    const audit = JSON.stringify({
      _TRANSPORT: 'audit',
      _AUDIT_TYPE: '1326',
      _AUDIT_TYPE_NAME: 'SECCOMP',
      _AUDIT_ID: '75',
      _HOSTNAME: 'j-1',
      _BOOT_ID: 'b0b0',
      _SOURCE_REALTIME_TIMESTAMP: '1795933840675000',
      __REALTIME_TIMESTAMP: '1795933840699999',
      MESSAGE: `SECCOMP ${BODY}`,
    });
    const kernel = JSON.stringify({
      _TRANSPORT: 'kernel',
      _HOSTNAME: 'j-1',
      _BOOT_ID: 'b0b0',
      MESSAGE: `audit: type=1326 ${STAMP} ${BODY}`,
    });
    const a = record(parseAuditLine(audit));
    const k = record(parseAuditLine(kernel));
    for (const r of [a, k]) {
      expect(r).toMatchObject({ shape: 'journald', source: 'journald', host: 'j-1', bootId: 'b0b0' });
      expect([r.sec, r.msec, r.serial]).toEqual([1795933840, 675, 75]);
      expect(r.seccomp?.syscall).toBe(110);
    }
  });

  it('skips journald entries of other transports and other audit types', () => {
    expect(parseAuditLine('{"_TRANSPORT":"stdout","MESSAGE":"hi"}').kind).toBe('skip');
    expect(parseAuditLine('{"_TRANSPORT":"audit","_AUDIT_TYPE":"1400","MESSAGE":"AVC x"}').kind).toBe('skip');
    expect(parseAuditLine('{"_TRANSPORT":"kernel","MESSAGE":"eth0: link up"}').kind).toBe('skip');
  });

  it('decodes journald byte-array MESSAGE', () => {
    const message = [...Buffer.from(`audit: type=1326 ${STAMP} ${BODY}`)];
    const r = record(parseAuditLine(JSON.stringify({ _TRANSPORT: 'kernel', MESSAGE: message })));
    expect(r.seccomp?.comm).toBe('slp');
  });
});

describe('parseAuditLine SECCOMP fields', () => {
  const parse = (body: string) => record(parseAuditLine(`type=SECCOMP msg=${STAMP} ${body}`)).seccomp;

  it('decodes hex comm and exe, and exe=(null)', () => {
    const f = parse(
      'auid=1000 uid=1000 gid=1000 ses=2 pid=7 comm=57656220436F6E74656E74 exe=2F746D702F612062 sig=0 arch=c000003e syscall=1 compat=0 ip=0x1 code=0x0',
    );
    expect(f?.comm).toBe('Web Content');
    expect(f?.exe).toBe('/tmp/a b');
    expect(
      parse('pid=7 comm="kworker" exe=(null) sig=31 arch=c000003e syscall=1 compat=0 ip=0x1 code=0x0')?.exe,
    ).toBeNull();
  });

  it('keeps AppArmor subj with spaces and SELinux subj', () => {
    expect(
      parse(
        'auid=1 uid=0 gid=0 ses=1 subj==docker-default (enforce) pid=9 comm="x" exe="/x" sig=0 arch=c000003e syscall=1 compat=0 ip=0x1 code=0x0',
      ),
    ).toMatchObject({ subj: '=docker-default (enforce)', pid: 9 });
    expect(parse('subj=system_u:system_r:container_t:s0:c83,c152 pid=9 syscall=1 code=0x0')?.subj).toBe(
      'system_u:system_r:container_t:s0:c83,c152',
    );
  });

  it('reads signed syscall numbers, the x32 bit and compat', () => {
    expect(parse('pid=1 arch=c000003e syscall=-1 compat=0 code=0x0')?.syscall).toBe(-1);
    expect(parse('pid=1 arch=c000003e syscall=1073741865 compat=1 code=0x0')).toMatchObject({
      syscall: 0x40000029,
      compat: true,
    });
  });

  it('reads the old ANOM_ABEND reason="seccomp" form and skips other abends', () => {
    const r = record(
      parseAuditLine(
        `audit: type=1701 audit(1343000000.123:42): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=5 comm="a" reason="seccomp" sig=31 syscall=2 compat=0 ip=0x4 code=0x0`,
      ),
    );
    expect(r.typeName).toBe('ANOM_ABEND');
    expect(r.seccomp).toMatchObject({ reason: 'seccomp', sig: 31, syscall: 2 });
    expect(r.seccomp?.arch).toBeUndefined();
    expect(
      parseAuditLine(`type=ANOM_ABEND msg=${STAMP} pid=1 comm="httpd" reason="memory violation" sig=11`).kind,
    ).toBe('skip');
  });

  it('reads sibling records', () => {
    const p = record(parseAuditLine(`type=PROCTITLE msg=${STAMP} proctitle=2F746D702F736C700031`));
    expect(p.sibling?.cmdline).toBe('/tmp/slp 1');
    const e = record(parseAuditLine(`type=EXECVE msg=${STAMP} argc=3 a0="ls" a1="-l" a2=2F612062`));
    expect(e.sibling?.cmdline).toBe('ls -l /a b');
    const s = record(
      parseAuditLine(
        `type=SYSCALL msg=${STAMP} arch=c000003e syscall=110 success=yes exit=1 ppid=44 pid=45 key=(null)`,
      ),
    );
    expect(s.sibling).toMatchObject({ ppid: 44, success: 'yes', exit: 1 });
    expect(record(parseAuditLine(`type=CWD msg=${STAMP} cwd="/root"`)).sibling?.cwd).toBe('/root');
    expect(record(parseAuditLine(`type=CONTAINER_ID msg=${STAMP} contid=abc123`)).sibling?.containerId).toBe(
      'abc123',
    );
  });
});

describe('parseAuditLine lost records, skips and garbage', () => {
  it('reports kauditd_printk_skb counts', () => {
    expect(parseAuditLine('[ 3190.71] kauditd_printk_skb: 17 callbacks suppressed')).toEqual({
      kind: 'lost',
      shape: 'dmesg',
      count: 17,
    });
    expect(parseAuditLine('6,99,123,-;kauditd_printk_skb: 3 callbacks suppressed')).toMatchObject({
      kind: 'lost',
      count: 3,
    });
  });

  it('skips other record types after the type and other kernel messages', () => {
    expect(parseAuditLine(`type=AVC msg=${STAMP} garbage "unterminated`).kind).toBe('skip');
    expect(parseAuditLine(`audit: type=1400 ${STAMP} apparmor="DENIED"`).kind).toBe('skip');
    expect(parseAuditLine('[    1.0] e1000: eth0 NIC Link is Up').kind).toBe('skip');
    expect(parseAuditLine('').kind).toBe('skip');
  });

  it.each([
    ['hello world', 'unrecognised_shape'],
    ['type=SECCOMP', 'malformed_record'],
    ['type=SECCOMP msg=audit(x.675:75): pid=1', 'malformed_timestamp'],
    ['type=SECCOMP msg=audit(1795933840.6:75): pid=1', 'malformed_timestamp'],
    ['type=SECCOMP msg=audit(1795933840.675:75): pid=abc', 'malformed_record'],
    ['type=SECCOMP msg=audit(1795933840.675:75): comm="unterminated', 'malformed_record'],
    ['type=SECCOMP msg=audit(1795933840.675:75): noequals', 'malformed_record'],
    ['{"_TRANSPORT":"audit"', 'malformed_json'],
    ['{"_TRANSPORT":"audit","_AUDIT_TYPE":"1326","MESSAGE":"SECCOMP pid=1"}', 'missing_field'],
    ['{"MESSAGE":"x"}', 'missing_field'],
    ['%% \x00 ~~', 'unrecognised_shape'],
    ['[1.0] kauditd_printk_skb: many callbacks suppressed', 'malformed_record'],
    ['audit: type=1326 audit(99999999999999999.000:1): pid=1', 'malformed_timestamp'],
    [
      'type=SECCOMP msg=audit(99999999999.000:1): pid=1 arch=c000003e syscall=1 code=0x0',
      'malformed_timestamp',
    ],
  ])('gives a typed error for %j', (line, code) => {
    const parsed = parseAuditLine(line);
    expect(parsed).toMatchObject({ kind: 'error', code });
    if (parsed.kind === 'error') expect(parsed.reason.length).toBeGreaterThan(3);
  });

  it('bounds line length', () => {
    expect(parseAuditLine(`type=SECCOMP msg=${STAMP} ${BODY} ${'x'.repeat(70000)}`)).toMatchObject({
      kind: 'error',
      code: 'line_too_long',
    });
    expect(parseAuditLine(`type=SECCOMP msg=${STAMP} ${BODY}`, { maxLineBytes: 100 })).toMatchObject({
      code: 'line_too_long',
    });
    // Multi-byte characters count as bytes.
    expect(parseAuditLine('é'.repeat(40), { maxLineBytes: 60 })).toMatchObject({ code: 'line_too_long' });
  });
});
