import { AuditStreamParser, parseAuditText } from '@sandtrap/audit';
import { describe, expect, it } from 'vitest';
import { parseAuditLines } from './audit-outputs.js';
import { planAuditBytes, planAuditPassthrough } from './audit-passthrough.js';

const HOST = 'node-7';
const BOOT = '0b7c6a2e-1d7f-4c55-9f1e-3a2b1c0d9e8f';

const seccomp = (serial: number, pid: number, extra = '') =>
  `type=SECCOMP msg=audit(1795933840.${String(serial % 1000).padStart(3, '0')}:${serial}): auid=1000 uid=1000 gid=1000 ses=2 ` +
  `subj=unconfined pid=${pid} comm="probe" exe="/usr/bin/probe"${extra} sig=0 arch=c000003e syscall=${serial % 300} compat=0 ip=0x7f0000000001 code=0x50001`;
const sibling = (type: string, serial: number, body: string) =>
  `type=${type} msg=audit(1795933840.${String(serial % 1000).padStart(3, '0')}:${serial}): ${body}`;

/** What the agent stores when it parses the lines itself (its auditd source, no container found). */
const parsedHere = (lines: string[]) =>
  parseAuditLines(new AuditStreamParser({ host: HOST, bootId: BOOT, source: 'auditd' }), lines).events;
/** What the service's audit route makes of the shipped lines (decodeAuditText: parseAuditText). */
const parsedByService = (lines: string[]) =>
  parseAuditText(lines.join('\n'), { host: HOST, bootId: BOOT }).flatMap((o) =>
    o.type === 'event' ? [o.event] : [],
  );

const noContainers = () => false;

describe('audit lines shipped as text', () => {
  it('ships bare SECCOMP records, leaves out what the parser skips, and parses here a read with siblings', () => {
    const bare = [
      seccomp(11, 5011),
      'type=USER_LOGIN msg=audit(1795933840.012:12): pid=1 uid=0 res=success',
      '',
      seccomp(13, 5013, ' extra="a b"'),
      // A sibling whose event is not in this read: the parser finds no event for it either.
      sibling('SYSCALL', 14, 'arch=c000003e syscall=1 success=yes exit=1 ppid=1 pid=77'),
      sibling('PROCTITLE', 14, 'proctitle=2F7573722F62696E2F70726F6265'),
      seccomp(15, 5015),
    ];
    const plan = planAuditPassthrough(bare, noContainers)!;
    expect(plan).toEqual({ lines: [bare[0], bare[3], bare[6]], events: 3 });
    const expected = parsedHere(bare);
    expect(expected).toHaveLength(3);
    expect(parsedByService(plan.lines)).toEqual(expected);

    const withSiblings = [
      sibling('SYSCALL', 11, 'arch=c000003e syscall=59 success=no exit=-1 ppid=42 pid=5011 comm="probe"'),
      seccomp(11, 5011),
      sibling('PROCTITLE', 11, 'proctitle=2F7573722F62696E2F70726F6265002D2D666C6167'),
      sibling('CONTAINER_ID', 11, 'contid=c0ffee'),
      seccomp(15, 5015),
    ];
    expect(planAuditPassthrough(withSiblings, noContainers)).toBeUndefined();
    expect(parsedHere(withSiblings)[0]).toMatchObject({ container: { id: 'c0ffee' }, process: { ppid: 42 } });
    for (const type of ['EXECVE', 'CWD', 'EOE']) {
      expect(
        planAuditPassthrough([seccomp(11, 5011), sibling(type, 11, 'x=1')], noContainers),
      ).toBeUndefined();
    }
  });

  it('ships a read of bare SECCOMP records as it is', () => {
    const lines = Array.from({ length: 50 }, (_, i) => seccomp(100 + i, 4000 + i));
    const plan = planAuditPassthrough(lines, noContainers)!;
    expect(plan).toEqual({ lines, events: 50 });
    expect(parsedByService(plan.lines)).toEqual(parsedHere(lines));
  });

  it('asks about the pid of every SECCOMP record, and parses here when one is in a container', () => {
    const asked: number[] = [];
    const lines = [seccomp(1, 700), seccomp(2, 701), seccomp(3, 702)];
    expect(planAuditPassthrough(lines, (pid) => (asked.push(pid), pid === 701))).toBeUndefined();
    expect(asked).toEqual([700, 701]);
  });

  it('parses here what the service would read differently or the agent must see', () => {
    const ok = seccomp(1, 700);
    for (const odd of [
      `node=other ${ok}`, // the line names its host
      ok.replace('comm="probe"', 'comm="pro\u0000be"'), // NUL: the service refuses it, the parser keeps it
      `${ok}\r`,
      ok.replace(' pid=700', ''), // no pid to look up
      ok.replace(' pid=700', ' pid=70x0000000000'),
      'type=ANOM_ABEND msg=audit(1795933840.001:1): auid=1 uid=1 pid=700 comm="x" reason="seccomp" sig=31',
      'type=UNKNOWN[1326] msg=audit(1795933840.001:1): pid=700 sig=0 arch=c000003e syscall=1 code=0x50001',
      'audit: type=1326 audit(1795933840.001:1): pid=700 sig=0 arch=c000003e syscall=1 code=0x50001',
      'kernel: audit: audit_lost=5',
      `${ok} ${'x'.repeat(20_000)}`,
    ]) {
      expect(planAuditPassthrough([ok, odd], noContainers), odd.slice(0, 60)).toBeUndefined();
    }
  });

  it('passes a read of bare SECCOMP records through as bytes, and nothing the line planner would refuse', () => {
    const lines = Array.from({ length: 40 }, (_, i) => seccomp(300 + i, 6000 + i));
    const bytes = (ls: string[]) => Buffer.from(ls.join('\n') + '\n');
    expect(planAuditBytes(bytes(lines), noContainers)).toBe(40);
    expect(planAuditPassthrough(lines, noContainers)).toEqual({ lines, events: 40 });
    const asked: number[] = [];
    expect(planAuditBytes(bytes(lines), (pid) => (asked.push(pid), pid === 6005))).toBeUndefined();
    expect(asked).toEqual([6000, 6001, 6002, 6003, 6004, 6005]);
    const ok = seccomp(1, 700);
    for (const odd of [
      `node=other ${ok}`,
      ok.replace('comm="probe"', 'comm="pro\u0000be"'),
      `${ok}\r`,
      ok.replace(' pid=700', ''),
      ok.replace(' pid=700', ' pid=70x0000000000'),
      ok.replace('comm="probe"', 'comm="pr\u00f6be"'), // not ASCII: decoded and planned as lines
      '',
      'type=USER_LOGIN msg=audit(1795933840.012:12): pid=1 uid=0 res=success',
      sibling('SYSCALL', 1, 'arch=c000003e syscall=1 success=yes exit=1 ppid=1 pid=700'),
      `${ok} ${'x'.repeat(20_000)}`,
    ]) {
      expect(planAuditBytes(bytes([ok, odd, ok]), noContainers), odd.slice(0, 60)).toBeUndefined();
    }
    // A last line without its newline is not the tailer's to give: refused too.
    expect(planAuditBytes(Buffer.from(`${ok}\n${ok}`), noContainers)).toBeUndefined();
  });
});
