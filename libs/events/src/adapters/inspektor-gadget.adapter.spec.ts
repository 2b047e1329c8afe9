import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { seccompCodeAction, seccompRawAction } from './inspektor-gadget.adapter.js';
import { createToolAdapter } from './tool-adapter.js';

const lines = readFileSync(
  new URL('../../../../test/fixtures/events/inspektor-gadget.jsonl', import.meta.url),
  'utf8',
)
  .split('\n')
  .filter((line) => line.length > 0);

const RECEIPT = Date.UTC(2026, 2, 2, 10, 0, 0, 250);

function eventOf(line: string, host?: string) {
  const result = createToolAdapter('inspektor-gadget', { host, now: () => RECEIPT }).adaptLine(line);
  if (!result.ok || result.event === null) throw new Error(`expected an event: ${JSON.stringify(result)}`);
  return result.event;
}

describe('inspektor-gadget adapter', () => {
  it('maps the current audit_seccomp shape', () => {
    const { raw, eventKey, details, ...event } = eventOf(lines[0]);
    expect(event).toEqual({
      observedAt: '2026-03-02T09:30:00.123456Z',
      host: 'worker-ap-2',
      source: 'inspektor-gadget',
      kind: 'seccomp',
      action: 'kill_thread',
      blocked: true,
      process: { pid: 30211, tid: 30212, ppid: 30200, uid: 1000, gid: 1000, comm: 'unshare' },
      container: {
        id: '7e57ab1e0000000000000000000000000000000000000000000000000000beef',
        name: 'sandbox-test',
        image: 'docker.io/library/busybox:1.36',
        pod: 'sandbox-test-pod',
        namespace: 'qa',
      },
      syscall: { nr: 272, name: 'unshare' },
    });
    expect(raw).toBe(lines[0]);
    expect(eventKey).toMatch(/^inspektor-gadget:[0-9a-f]{40}$/);
    expect(details).toMatchObject({
      code: 'SECCOMP_RET_KILL_THREAD',
      mountNamespace: 4026533001,
      parentComm: 'sh',
    });
  });

  it('uses timestamp_raw when there is no ISO timestamp, and the host option for an empty node', () => {
    expect(() => eventOf(lines[1])).toThrow(/no_host/);
    const event = eventOf(lines[1], 'worker-ap-3');
    expect(event).toMatchObject({
      host: 'worker-ap-3',
      action: 'log',
      blocked: false,
      syscall: { nr: 83, name: 'mkdir' },
    });
    expect(event.observedAt).toBe('2026-03-02T09:30:01.000000Z');
    expect(event.container).toBeUndefined();
  });

  it('maps the flat v0.x shape, with the receipt time when it carries none', () => {
    const event = eventOf(lines[2]);
    expect(event).toMatchObject({
      host: 'edge-12',
      action: 'kill_process',
      process: { pid: 51001, comm: 'unshare' },
      container: { name: 'quiet_hopper', pod: 'quiet_hopper', namespace: 'default' },
      syscall: { name: 'unshare' },
      observedAt: '2026-03-02T10:00:00.250000Z',
    });
    expect(event.details).toMatchObject({ observedAtFrom: 'receipt', mountNamespace: 4026533100 });
    const timed = eventOf(lines[3]);
    expect(timed).toMatchObject({ action: 'errno', observedAt: '2026-03-02T09:31:40.000001Z' });
    expect(timed.details?.observedAtFrom).toBeUndefined();
  });

  it('maps every seccomp code spelling', () => {
    expect(seccompCodeAction('SECCOMP_RET_KILL_PROCESS')).toBe('kill_process');
    expect(seccompCodeAction('SECCOMP_RET_KILL_THREAD')).toBe('kill_thread');
    expect(seccompCodeAction('SECCOMP_RET_KILL')).toBe('kill_thread');
    expect(seccompCodeAction('SECCOMP_RET_USER_NOTIF')).toBe('user_notif');
    expect(seccompCodeAction('trap')).toBe('trap');
    expect(seccompCodeAction('unknown')).toBeUndefined();
    expect(seccompCodeAction('constructor')).toBeUndefined();
  });

  it('falls back to code_raw when the code text is absent', () => {
    expect(seccompRawAction(0)).toBe('kill_thread');
    expect(seccompRawAction(0x80000000)).toBe('kill_process');
    expect(seccompRawAction(0x00050001)).toBe('errno');
    expect(seccompRawAction(2147221504)).toBe('log');
    expect(seccompRawAction(0x12340000)).toBeUndefined();
    expect(seccompRawAction('0')).toBe('kill_thread');
    expect(seccompRawAction(-1)).toBeUndefined();
    const current = JSON.parse(lines[1]) as Record<string, unknown>;
    delete current.code;
    const result = createToolAdapter('inspektor-gadget', { host: 'h' }).adapt(current);
    expect(result.ok && result.event?.action).toBe('log');
  });

  it('returns typed errors for events without a usable code or time', () => {
    const adapter = createToolAdapter('inspektor-gadget', { host: 'h' });
    const current = JSON.parse(lines[0]) as Record<string, unknown>;
    const cases: [unknown, string][] = [
      [{ type: 'normal', node: 'n', pid: 1, mountnsid: 2, pcomm: 'unshare' }, 'missing_field'],
      [{ ...current, code: 'unknown' }, 'unknown_action'],
      [{ ...current, code: 17, code_raw: undefined }, 'missing_field'],
      [{ ...current, code: undefined, code_raw: 0x12340000 }, 'missing_field'],
      [{ ...current, timestamp: 'yesterday', timestamp_raw: undefined }, 'invalid_field'],
      [{ ...current, timestamp: undefined, timestamp_raw: -1 }, 'invalid_field'],
    ];
    for (const [input, code] of cases) {
      const result = adapter.adapt(input);
      expect(result.ok ? 'ok' : result.error.code, JSON.stringify(input).slice(0, 60)).toBe(code);
    }
  });

  it('drops a syscall name that is not an identifier and tolerates null sub-objects', () => {
    const adapter = createToolAdapter('inspektor-gadget', { host: 'h', now: () => RECEIPT });
    const result = adapter.adapt({
      code: 'log',
      syscall: 'SYS_<bad>',
      proc: null,
      runtime: 3,
      k8s: [],
      syscall_raw: -1,
    });
    expect(result.ok && result.event).toMatchObject({ action: 'log', host: 'h' });
    expect(result.ok && result.event?.syscall).toBeUndefined();
  });
});
