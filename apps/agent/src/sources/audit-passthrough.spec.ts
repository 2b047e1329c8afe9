import { AuditStreamParser, parseAuditText } from '@sandtrap/audit';
import {
  splitContainerAnnotation,
  withContainer,
  type EventContainer,
  type SecurityEvent,
} from '@sandtrap/events';
import { describe, expect, it } from 'vitest';
import { ContainerResolver } from '../enrich/container-resolver.js';
import { parseAuditLines } from './audit-outputs.js';
import { planAuditBytes, planAuditPassthrough } from './audit-passthrough.js';

const HOST = 'node-7';
const BOOT = '0b7c6a2e-1d7f-4c55-9f1e-3a2b1c0d9e8f';

const seccomp = (serial: number, pid: number, extra = '') =>
  `type=SECCOMP msg=audit(1795933840.${String(serial % 1000).padStart(3, '0')}:${serial}): auid=1000 uid=1000 gid=1000 ses=2 ` +
  `subj=unconfined pid=${pid} comm="probe" exe="/usr/bin/probe"${extra} sig=0 arch=c000003e syscall=${serial % 300} compat=0 ip=0x7f0000000001 code=0x50001`;
const sibling = (type: string, serial: number, body: string) =>
  `type=${type} msg=audit(1795933840.${String(serial % 1000).padStart(3, '0')}:${serial}): ${body}`;

/**
 * What the agent stores when it parses the lines itself (its auditd source), each event enriched
 * with the container of its pid as the agent does (ContainerResolver.enrich).
 */
const parsedHere = (
  lines: string[],
  containers: ContainerResolver = new ContainerResolver({ readCgroup: () => undefined }),
) =>
  parseAuditLines(new AuditStreamParser({ host: HOST, bootId: BOOT, source: 'auditd' }), lines).events.map(
    (e) => containers.enrich(e),
  );
/**
 * What the service's audit route makes of the shipped lines (decodeAuditText: the container
 * annotation split off each line, the rest parsed by parseAuditText, the annotation's container
 * given to an event that names none). test/ingest-events.e2e-spec.ts checks the route itself.
 */
const parsedByService = (lines: string[]): SecurityEvent[] => {
  const split = lines.map((line) => splitContainerAnnotation(line));
  const texts = split.map((s) => (s.ok ? s.line : 'unreadable'));
  return parseAuditText(texts.join('\n'), { host: HOST, bootId: BOOT }).flatMap((o) => {
    if (o.type !== 'event') return [];
    const s = split[o.line - 1];
    const container = s?.ok ? s.container : undefined;
    return [withContainer(o.event, container)];
  });
};

const noContainers = (): EventContainer | undefined => undefined;

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
    expect(plan).toEqual({ lines: [bare[0], bare[3], bare[6]], events: 3, parse: [] });
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
    // The event with siblings is parsed here, records together; the standalone one passes through.
    const split = planAuditPassthrough(withSiblings, noContainers)!;
    expect(split).toEqual({ lines: [withSiblings[4]], events: 1, parse: withSiblings.slice(0, 4) });
    expect(parsedHere(withSiblings)[0]).toMatchObject({ container: { id: 'c0ffee' }, process: { ppid: 42 } });
    expect([...parsedHere(split.parse), ...parsedByService(split.lines)]).toEqual(parsedHere(withSiblings));
    for (const type of ['EXECVE', 'CWD', 'EOE']) {
      const lines = [seccomp(11, 5011), sibling(type, 11, 'x=1')];
      expect(planAuditPassthrough(lines, noContainers)).toEqual({ lines: [], events: 0, parse: lines });
    }
  });

  it('splits a read of many events, a few with siblings, without changing what is stored', () => {
    const id = 'e5'.repeat(32);
    const containers = () =>
      new ContainerResolver({ readCgroup: (pid) => (pid % 3 === 0 ? `0::/docker/${id}\n` : '0::/\n') });
    const lines: string[] = [];
    for (let serial = 1; serial <= 60; serial++) {
      // Siblings before (an early SYSCALL) or after the SECCOMP record, interleaved with the
      // next event's records; orphan siblings of events outside the read.
      if (serial % 10 === 0)
        lines.push(
          sibling(
            'SYSCALL',
            serial,
            `arch=c000003e syscall=2 success=no exit=-13 ppid=${serial} pid=${7000 + serial}`,
          ),
        );
      lines.push(seccomp(serial, 7000 + serial));
      if (serial % 7 === 0)
        lines.push(sibling('PROCTITLE', serial - 1, '70726F6265'), sibling('EOE', serial - 1, ''));
      if (serial % 13 === 0) lines.push(sibling('CWD', 900 + serial, 'cwd="/"'));
    }
    const agent = containers();
    const plan = planAuditPassthrough(lines, (pid) => agent.resolve(pid))!;
    expect(plan.events + plan.parse.filter((l) => l.startsWith('type=SECCOMP')).length).toBe(60);
    expect(plan.parse.length).toBeGreaterThan(0);
    expect(plan.lines.some((l) => l.includes('\u001eid='))).toBe(true);
    const here = parsedHere(plan.parse, containers());
    const byKey = (events: SecurityEvent[]) => new Map(events.map((e) => [e.eventKey, e]));
    const whole = byKey(parsedHere(lines, containers()));
    expect(whole.size).toBe(60);
    expect(byKey([...here, ...parsedByService(plan.lines)])).toEqual(whole);
    // The events with siblings really got them (ppid from SYSCALL, cmdline from PROCTITLE).
    expect(here.some((e) => e.process?.ppid !== undefined || e.process?.cmdline !== undefined)).toBe(true);
  });

  it('ships a read of bare SECCOMP records as it is', () => {
    const lines = Array.from({ length: 50 }, (_, i) => seccomp(100 + i, 4000 + i));
    const plan = planAuditPassthrough(lines, noContainers)!;
    expect(plan).toEqual({ lines, events: 50, parse: [] });
    expect(parsedByService(plan.lines)).toEqual(parsedHere(lines));
  });

  it('ships the container of each record read from its cgroup, which the service gives the event as the agent would', () => {
    const id = 'c1'.repeat(32);
    const pod = '7d8c6f2e-1a2b-4c3d-9e8f-0a1b2c3d4e5f';
    // pid 701 in a kubernetes pod (systemd driver), 703 in a docker container, the rest in none.
    const cgroups: Record<number, string> = {
      701: `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${pod.replaceAll('-', '_')}.slice/cri-containerd-${id}.scope\n`,
      703: `0::/system.slice/docker-${'d3'.repeat(32)}.scope\n`,
    };
    const resolver = () => new ContainerResolver({ readCgroup: (pid) => cgroups[pid] ?? '0::/user.slice\n' });
    const lines = [seccomp(1, 700), seccomp(2, 701), seccomp(3, 702), seccomp(4, 703)];
    const agent = resolver();
    const asked: number[] = [];
    const plan = planAuditPassthrough(lines, (pid) => (asked.push(pid), agent.resolve(pid)))!;
    expect(asked).toEqual([700, 701, 702, 703]);
    expect(plan.events).toBe(4);
    expect(plan.lines[0]).toBe(lines[0]);
    expect(plan.lines[1]).toBe(`${lines[1]}\u001eid=${id} pod=${pod}`);
    expect(plan.lines[3]).toBe(`${lines[3]}\u001eid=${'d3'.repeat(32)}`);
    const expected = parsedHere(lines, resolver());
    expect(expected.map((e) => e.container)).toEqual([
      undefined,
      { id, pod },
      undefined,
      { id: 'd3'.repeat(32) },
    ]);
    expect(parsedByService(plan.lines)).toEqual(expected);

    // The bytes path makes the same text, annotations and all, without decoding the read.
    const bytes = Buffer.from(lines.join('\n') + '\n');
    const planned = planAuditBytes(bytes, (pid) => agent.resolve(pid))!;
    expect(planned.events).toBe(4);
    expect(Buffer.concat(planned.chunks).toString('latin1')).toBe(plan.lines.join('\n') + '\n');
    // Without containers it is the read itself, not a copy.
    expect(planAuditBytes(bytes, noContainers)!.chunks).toEqual([bytes]);
    expect(planAuditBytes(bytes, noContainers)!.chunks[0]).toBe(bytes);
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

  it('plans a read as bytes exactly as the line planner plans it, and refuses what it would refuse', () => {
    const lines = Array.from({ length: 40 }, (_, i) => seccomp(300 + i, 6000 + i));
    const bytes = (ls: string[]) => Buffer.from(ls.join('\n') + '\n');
    expect(planAuditBytes(bytes(lines), noContainers)).toEqual({
      chunks: [bytes(lines)],
      events: 40,
      parse: [],
    });
    expect(planAuditPassthrough(lines, noContainers)).toEqual({ lines, events: 40, parse: [] });
    const ok = seccomp(1, 700);
    for (const odd of [
      `node=other ${ok}`,
      ok.replace('comm="probe"', 'comm="pro\u0000be"'),
      `${ok}\r`,
      ok.replace(' pid=700', ''),
      ok.replace(' pid=700', ' pid=70x0000000000'),
      ok.replace('comm="probe"', 'comm="pr\u00f6be"'), // not ASCII: decoded and planned as lines
      'type=ANOM_ABEND msg=audit(1795933840.001:1): auid=1 uid=1 pid=700 comm="x" reason="seccomp" sig=31',
      'audit: type=1326 audit(1795933840.001:1): pid=700 sig=0 arch=c000003e syscall=1 code=0x50001',
      `${ok} ${'x'.repeat(20_000)}`,
    ]) {
      expect(planAuditBytes(bytes([ok, odd, ok]), noContainers), odd.slice(0, 60)).toBeUndefined();
    }
    // A last line without its newline is not the tailer's to give: refused too.
    expect(planAuditBytes(Buffer.from(`${ok}\n${ok}`), noContainers)).toBeUndefined();

    // Reads with empty lines, unrelated records, siblings (before, after, interleaved, orphaned)
    // and processes in containers: the same lines shipped (as bytes), the same lines parsed here.
    const containers = (pid: number) => (pid % 4 === 1 ? { id: 'f0'.repeat(32), pod: 'p-1' } : undefined);
    let random = 7;
    const next = () => (random = (random * 48271) % 2147483647) / 2147483647;
    for (let round = 0; round < 200; round++) {
      const read: string[] = [];
      for (let serial = 1; serial <= 1 + Math.floor(next() * 30); serial++) {
        const r = next();
        if (r < 0.1) read.push('');
        else if (r < 0.2)
          read.push(`type=USER_LOGIN msg=audit(1795933840.012:${9000 + serial}): pid=1 uid=0 res=success`);
        else if (r < 0.3)
          read.push(
            sibling('SYSCALL', serial, `arch=c000003e syscall=1 success=no exit=-1 ppid=3 pid=${serial}`),
          );
        else if (r < 0.35) read.push(sibling('CWD', serial + 500, 'cwd="/"'));
        read.push(seccomp(serial, 6000 + serial));
        if (next() < 0.2)
          read.push(sibling('PROCTITLE', serial - 1, '70726F6265'), sibling('EOE', serial - 1, ''));
      }
      const asLines = planAuditPassthrough(read, containers)!;
      const asBytes = planAuditBytes(bytes(read), containers)!;
      expect(asBytes.parse, read.join('\n')).toEqual(asLines.parse);
      expect(asBytes.events).toBe(asLines.events);
      expect(Buffer.concat(asBytes.chunks).toString('latin1')).toBe(
        asLines.events === 0 ? '' : asLines.lines.join('\n') + '\n',
      );
    }
  });
});
