import { describe, expect, it } from 'vitest';
import { AuditStreamParser, parseAuditText, type AuditOutput } from './audit-stream-parser.js';

const STAMP = 'audit(1795933840.675:75):';
const BODY =
  'auid=4294967295 uid=0 gid=0 ses=4294967295 pid=10270 comm="slp" exe="/tmp/slp" sig=0 arch=c000003e syscall=110 compat=0 ip=0x7f93f4882829 code=0x7ffc0000';
const SECCOMP = `type=SECCOMP msg=${STAMP} ${BODY}`;

function events(out: AuditOutput[]) {
  return out.flatMap((o) => (o.type === 'event' ? [o.event] : []));
}

describe('SecurityEvent from a SECCOMP record', () => {
  it('maps every field', () => {
    const [event, ...rest] = events(parseAuditText(SECCOMP, { host: 'h1', bootId: 'boot-1' }));
    expect(rest).toEqual([]);
    expect(event).toEqual({
      eventKey: 'boot-1:1795933840.675:75',
      observedAt: '2026-11-29T06:30:40.675000Z',
      host: 'h1',
      bootId: 'boot-1',
      source: 'auditd',
      kind: 'seccomp',
      action: 'log',
      blocked: false,
      syscall: { arch: 'x86_64', nr: 110, name: 'getppid', compat: false },
      process: { pid: 10270, uid: 0, gid: 0, comm: 'slp', exe: '/tmp/slp' },
      details: { code: '0x7ffc0000', ip: '0x7f93f4882829' },
      raw: SECCOMP,
    });
  });

  it('uses boot-unknown, pads msec and keeps node= over the host option', () => {
    const line = `node=n9 type=SECCOMP msg=audit(1795933840.005:7): pid=1 sig=31 arch=c00000b7 syscall=198 compat=0 code=0x80000000`;
    const [event] = events(parseAuditText(line, { host: 'ignored' }));
    expect(event).toMatchObject({
      eventKey: 'boot-unknown:1795933840.005:7',
      observedAt: '2026-11-29T06:30:40.005000Z',
      host: 'n9',
      action: 'kill_process',
      blocked: true,
      signal: { nr: 31, name: 'SIGSYS' },
      syscall: { arch: 'aarch64', name: 'socket' },
    });
  });

  it('resolves with the record arch, x32 and i386 compat', () => {
    const x32 = events(
      parseAuditText(
        `type=SECCOMP msg=${STAMP} pid=1 arch=c000003e syscall=1073741865 compat=1 code=0x50000`,
        { host: 'h' },
      ),
    )[0];
    expect(x32.syscall).toEqual({ arch: 'x32', nr: 0x40000029, name: 'socket', compat: true });
    expect(x32.action).toBe('errno');
    const ia32 = events(
      parseAuditText(`type=SECCOMP msg=${STAMP} pid=1 arch=40000003 syscall=102 compat=1 code=0x30000`, {
        host: 'h',
      }),
    )[0];
    expect(ia32.syscall).toEqual({ arch: 'i386', nr: 102, name: 'socketcall', compat: true });
    expect(ia32.action).toBe('trap');
  });

  it('keeps unknown codes and arches raw', () => {
    const [event] = events(
      parseAuditText(`type=SECCOMP msg=${STAMP} pid=1 arch=deadbeef syscall=5 compat=0 code=0xffff0000`, {
        host: 'h',
      }),
    );
    expect(event.action).toBe('kill_process');
    expect(event.syscall).toEqual({ nr: 5, compat: false });
    expect(event.details).toMatchObject({ code: '0xffff0000', unknownCode: true, auditArch: 'deadbeef' });
  });

  it('names MIPS SIGSYS 12 correctly', () => {
    const [event] = events(
      parseAuditText(`type=SECCOMP msg=${STAMP} pid=1 sig=12 arch=80000008 syscall=5040 compat=0 code=0x0`, {
        host: 'h',
      }),
    );
    expect(event.signal).toEqual({ nr: 12, name: 'SIGSYS' });
    expect(event.syscall?.name).toBe('socket');
  });

  it('makes the old ANOM_ABEND form an event without arch', () => {
    const [event] = events(
      parseAuditText(
        'audit: type=1701 audit(1343000000.123:42): pid=5 comm="a" reason="seccomp" sig=31 syscall=2 compat=0 ip=0x4 code=0x0',
        { host: 'h' },
      ),
    );
    expect(event).toMatchObject({ source: 'kmsg', action: 'kill_thread', syscall: { nr: 2, compat: false } });
    expect(event.syscall?.arch).toBeUndefined();
  });

  it('gives journald copies one eventKey and takes host and boot from the entry', () => {
    const audit = JSON.stringify({
      _TRANSPORT: 'audit',
      _AUDIT_TYPE: '1326',
      _AUDIT_ID: '75',
      _HOSTNAME: 'j',
      _BOOT_ID: 'bb',
      _SOURCE_REALTIME_TIMESTAMP: '1795933840675000',
      MESSAGE: `SECCOMP ${BODY}`,
    });
    const kernel = JSON.stringify({
      _TRANSPORT: 'kernel',
      _HOSTNAME: 'j',
      _BOOT_ID: 'bb',
      MESSAGE: `audit: type=1326 ${STAMP} ${BODY}`,
    });
    const out = events(parseAuditText(`${audit}\n${kernel}\n`, { bootId: 'option-boot' }));
    expect(out.map((e) => [e.eventKey, e.source, e.host])).toEqual([
      ['bb:1795933840.675:75', 'journald', 'j'],
      ['bb:1795933840.675:75', 'journald', 'j'],
    ]);
  });

  it('is an error no_host when nothing names the host', () => {
    const out = parseAuditText(`\n${SECCOMP}`);
    expect(out).toEqual([
      { type: 'error', line: 2, code: 'no_host', reason: expect.stringContaining('host=') },
    ]);
  });

  it('forces the source and bounds raw', () => {
    const long = `${SECCOMP} ${'pad=1 '.repeat(3000)}`;
    const [event] = events(parseAuditText(long, { host: 'h', source: 'kmsg' }));
    expect(event.source).toBe('kmsg');
    expect(Buffer.byteLength(event.raw ?? '')).toBe(8192);
  });
});

describe('AuditStreamParser', () => {
  const sibling = (type: string, body: string) => `type=${type} msg=${STAMP} ${body}`;

  it('enriches from siblings before and after, releases on EOE', () => {
    const p = new AuditStreamParser({ host: 'h', holdMs: 50 });
    expect(p.push(sibling('PROCTITLE', 'proctitle=2F746D702F736C700031'), undefined, 1000)).toEqual([]);
    expect(p.push(SECCOMP, undefined, 1000)).toEqual([]);
    expect(
      p.push(
        sibling('SYSCALL', 'arch=c000003e syscall=110 success=yes exit=1 ppid=44 pid=10270'),
        undefined,
        1001,
      ),
    ).toEqual([]);
    expect(p.push(sibling('CWD', 'cwd="/srv"'), undefined, 1001)).toEqual([]);
    expect(p.push(sibling('CONTAINER_ID', 'contid=c0ffee'), undefined, 1001)).toEqual([]);
    const out = p.push(sibling('EOE', ''), undefined, 1002);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({
      type: 'event',
      line: 2,
      event: {
        process: { ppid: 44, cmdline: '/tmp/slp 1' },
        container: { id: 'c0ffee' },
        details: { cwd: '/srv', exit: 1 },
      },
    });
    expect(p.stats).toMatchObject({ lines: 6, events: 1, errors: 0 });
  });

  it('never holds longer than holdMs: released by push or tick', () => {
    const p = new AuditStreamParser({ host: 'h', holdMs: 50 });
    expect(p.push(SECCOMP, 10, 1000)).toEqual([]);
    expect(p.tick(1049)).toEqual([]);
    expect(p.tick(1050)).toMatchObject([{ type: 'event', line: 10 }]);
    expect(p.push(SECCOMP.replace(':75)', ':76)'), 11, 2000)).toEqual([]);
    expect(p.push('[1.0] unrelated', 12, 2100)).toMatchObject([{ type: 'event', line: 11 }]);
  });

  it('emits at once with holdMs 0 and bounds the number held', () => {
    expect(new AuditStreamParser({ host: 'h', holdMs: 0 }).push(SECCOMP)).toHaveLength(1);
    const p = new AuditStreamParser({ host: 'h', holdMs: 60_000, maxHeld: 2 });
    const out = [1, 2, 3].flatMap((n) => p.push(SECCOMP.replace(':75)', `:${n})`), undefined, 0));
    expect(out).toMatchObject([{ type: 'event', line: 1 }]);
    expect(p.flush()).toHaveLength(2);
  });

  it('passes lost counts and errors with line numbers and keeps going', () => {
    const p = new AuditStreamParser({ host: 'h', holdMs: 0 });
    expect(p.push('garbage ((', 7)).toMatchObject([{ type: 'error', line: 7, code: 'unrecognised_shape' }]);
    expect(p.push('[ 5.0] kauditd_printk_skb: 9 callbacks suppressed', 8)).toEqual([
      { type: 'lost', count: 9, line: 8 },
    ]);
    expect(p.push(SECCOMP, 9)).toMatchObject([{ type: 'event', line: 9 }]);
    expect(p.stats).toMatchObject({ lines: 3, events: 1, errors: 1, lost: 9 });
  });

  it('counts lines from 1 and handles CRLF text', () => {
    const out = parseAuditText(`junk\r\n${SECCOMP}\r\n`, { host: 'h' });
    expect(out.map((o) => [o.type, o.line])).toEqual([
      ['error', 1],
      ['event', 2],
    ]);
  });
});

describe('values SecurityEvent cannot hold', () => {
  const parse = (line: string) => {
    const parser = new AuditStreamParser({ host: 'h', bootId: 'b' });
    const out = [...parser.push(line, 1, 0), ...parser.flush()];
    const event = out.find((o) => o.type === 'event');
    if (event?.type !== 'event') throw new Error(`no event: ${JSON.stringify(out)}`);
    return event.event;
  };

  it('replaces NUL with U+FFFD in strings and raw', () => {
    const e = parse(
      'type=SECCOMP msg=audit(1764400600.123:42): pid=1 comm="ab" exe=x\u0000y sig=0 arch=c000003e syscall=39 compat=0 ip=0x0 code=0x7ffc0000',
    );
    expect(e.process?.exe).toBe('x\ufffdy');
    expect(e.raw).not.toContain('\u0000');
  });

  it('leaves out ids past 32 bits and keeps an impossible signal and a negative syscall in details', () => {
    const e = parse(
      'type=SECCOMP msg=audit(1764400123.456:8812): auid=42949672934 uid=1000 gid=1000 ses=3 pid=4242 comm="curl" exe="/usr/bin/curl" sig=3131 arch=c000003e syscall=-1 compat=0 ip=0x7f code=0x80000000',
    );
    expect(e.process).toMatchObject({ uid: 1000, gid: 1000, ses: 3, pid: 4242 });
    expect(e.process?.auid).toBeUndefined();
    expect(e.signal).toBeUndefined();
    expect(e.details).toMatchObject({ sig: 3131, syscallNr: -1 });
    expect(e.syscall?.nr).toBeUndefined();
  });
});
