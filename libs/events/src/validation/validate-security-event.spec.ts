import { describe, expect, it } from 'vitest';
import { RAW_MAX_BYTES } from '../security-event.js';
import { validateSecurityEvent, type ValidationResult } from './validate-security-event.js';

const NOW = Date.UTC(2026, 2, 2, 12, 0, 0);
const now = () => NOW;

function valid(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventKey: 'b1:1772452800.123:4411',
    observedAt: '2026-03-02T11:59:00.123456Z',
    host: 'worker-eu-3',
    source: 'kmsg',
    kind: 'seccomp',
    action: 'errno',
    ...overrides,
  };
}

function errorsOf(result: ValidationResult): { pointer: string; message: string }[] {
  return result.ok ? [] : result.errors;
}

function pointers(input: unknown): string[] {
  return errorsOf(validateSecurityEvent(input, { now })).map((e) => e.pointer);
}

describe('validateSecurityEvent', () => {
  it('accepts a full event, normalises observedAt and derives blocked', () => {
    const result = validateSecurityEvent(
      valid({
        observedAt: '2026-03-02T13:59:00.1234567+02:00',
        bootId: '6c1f2a7e-8b9d-4e3f-a1b2-c3d4e5f6a7b8',
        process: {
          pid: 4217,
          tid: 4218,
          ppid: 1,
          uid: 1001,
          gid: 1001,
          auid: 4294967295,
          ses: 3,
          comm: 'curl',
          exe: '/usr/bin/curl',
          cmdline: 'curl -s x',
        },
        container: {
          id: 'abc',
          name: 'ledger',
          image: 'reg/ledger:2',
          pod: 'ledger-0',
          namespace: 'payments',
        },
        syscall: { arch: 'x86_64', nr: 272, name: 'unshare', compat: false },
        errno: { nr: 1, name: 'EPERM' },
        policy: 'default',
        rule: 'no-unshare',
        severity: 'high',
        details: { nested: [{ a: 1 }, null, true, 'x'] },
        raw: 'type=SECCOMP msg=audit(1772452800.123:4411)',
      }),
      { now },
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.event.observedAt).toBe('2026-03-02T11:59:00.123456Z');
    expect(result.event.blocked).toBe(true);
    expect(result.event.process?.auid).toBe(4294967295);
    expect(result.event.syscall).toEqual({ arch: 'x86_64', nr: 272, name: 'unshare', compat: false });
  });

  it('derives blocked false for log, allow and alert', () => {
    for (const action of ['log', 'allow', 'alert']) {
      const result = validateSecurityEvent(valid({ action }), { now });
      expect(result.ok && result.event.blocked).toBe(false);
    }
  });

  it('accepts blocked when it agrees with the action and refuses a contradiction', () => {
    expect(validateSecurityEvent(valid({ action: 'kill_process', blocked: true }), { now }).ok).toBe(true);
    const errors = errorsOf(validateSecurityEvent(valid({ action: 'log', blocked: true }), { now }));
    expect(errors).toEqual([{ pointer: '/blocked', message: expect.stringContaining('log does not block') }]);
    expect(pointers(valid({ blocked: 'yes' }))).toEqual(['/blocked']);
  });

  it('refuses non-objects', () => {
    for (const input of [null, undefined, 42, 'event', [valid()], true]) {
      expect(pointers(input)).toEqual(['']);
    }
  });

  it('names each missing required field', () => {
    expect(pointers({}).sort()).toEqual(['/action', '/eventKey', '/host', '/kind', '/observedAt', '/source']);
  });

  it('names unknown enum values with the allowed ones', () => {
    const errors = errorsOf(
      validateSecurityEvent(valid({ action: 'KILL', source: 'syslog', kind: 7 }), { now }),
    );
    expect(errors.map((e) => e.pointer)).toEqual(['/source', '/kind', '/action']);
    expect(errors[2].message).toContain('kill_process, kill_thread, trap, errno');
    expect(errors[2].message).toContain('"KILL"');
    expect(errors[0].message).toContain('inspektor-gadget');
    expect(errors[1].message).toContain('got a number');
  });

  it('bounds eventKey and host', () => {
    expect(pointers(valid({ eventKey: '' }))).toEqual(['/eventKey']);
    expect(pointers(valid({ eventKey: 'k'.repeat(257) }))).toEqual(['/eventKey']);
    expect(pointers(valid({ eventKey: 'k'.repeat(256) }))).toEqual([]);
    expect(pointers(valid({ host: '' }))).toEqual(['/host']);
    expect(pointers(valid({ host: 'h'.repeat(254) }))).toEqual(['/host']);
    expect(pointers(valid({ host: 'h'.repeat(253) }))).toEqual([]);
  });

  it('refuses observedAt without an offset, garbage, and wrong types', () => {
    expect(pointers(valid({ observedAt: '2026-03-02T11:59:00' }))).toEqual(['/observedAt']);
    expect(pointers(valid({ observedAt: 'not a time' }))).toEqual(['/observedAt']);
    expect(pointers(valid({ observedAt: 1772452800 }))).toEqual(['/observedAt']);
  });

  it('refuses a timestamp further in the future than maxFutureSkewMs', () => {
    const inADay = '2026-03-03T12:30:00Z';
    const errors = errorsOf(validateSecurityEvent(valid({ observedAt: inADay }), { now }));
    expect(errors).toEqual([{ pointer: '/observedAt', message: expect.stringContaining('in the future') }]);
    expect(
      validateSecurityEvent(valid({ observedAt: inADay }), { now, maxFutureSkewMs: 48 * 3600_000 }).ok,
    ).toBe(true);
    expect(pointers(valid({ observedAt: '2026-03-02T12:10:00Z' }))).toEqual([]);
  });

  it('checks process integers by range and type', () => {
    expect(pointers(valid({ process: { pid: -1 } }))).toEqual(['/process/pid']);
    expect(pointers(valid({ process: { pid: 1.5 } }))).toEqual(['/process/pid']);
    expect(pointers(valid({ process: { pid: '42' } }))).toEqual(['/process/pid']);
    expect(pointers(valid({ process: { uid: 4294967296 } }))).toEqual(['/process/uid']);
    expect(pointers(valid({ process: { uid: 4294967295, gid: 0 } }))).toEqual([]);
    expect(pointers(valid({ process: { ppid: 2 ** 31 } }))).toEqual(['/process/ppid']);
    expect(pointers(valid({ process: [] }))).toEqual(['/process']);
    expect(pointers(valid({ process: { comm: 5 } }))).toEqual(['/process/comm']);
  });

  it('checks container, syscall, errno and signal fields', () => {
    expect(pointers(valid({ container: { id: 1 } }))).toEqual(['/container/id']);
    expect(pointers(valid({ syscall: { nr: -3, name: '', compat: 'no', arch: 64 } }))).toEqual([
      '/syscall/arch',
      '/syscall/nr',
      '/syscall/name',
      '/syscall/compat',
    ]);
    expect(pointers(valid({ errno: { nr: 5000 } }))).toEqual(['/errno/nr']);
    expect(pointers(valid({ signal: { nr: 9, name: 9 } }))).toEqual(['/signal/name']);
    expect(pointers(valid({ errno: 'EPERM' }))).toEqual(['/errno']);
  });

  it('refuses strings with NUL anywhere, including details keys and values', () => {
    expect(pointers(valid({ host: 'a\u0000b' }))).toEqual(['/host']);
    expect(pointers(valid({ process: { cmdline: 'sh\u0000-c' } }))).toEqual(['/process/cmdline']);
    expect(pointers(valid({ details: { args: ['ok', 'x\u0000'] } }))).toEqual(['/details/args/1']);
    expect(pointers(valid({ details: { 'a/b\u0000': 1 } }))).toEqual(['/details/a~1b\u0000']);
  });

  it('bounds strings, raw bytes and details', () => {
    expect(pointers(valid({ rule: 'r'.repeat(4097) }))).toEqual(['/rule']);
    expect(pointers(valid({ raw: 'x'.repeat(RAW_MAX_BYTES) }))).toEqual([]);
    expect(pointers(valid({ raw: 'x'.repeat(RAW_MAX_BYTES + 1) }))).toEqual(['/raw']);
    // 3000 euro signs are 9000 bytes of UTF-8: over the byte bound though under it in characters.
    expect(pointers(valid({ raw: '€'.repeat(3000) }))).toEqual(['/raw']);
    let deep: unknown = 'leaf';
    for (let i = 0; i < 40; i += 1) deep = { d: deep };
    expect(pointers(valid({ details: deep }))[0]).toMatch(/^\/details\/d/);
    expect(pointers(valid({ details: { many: Array.from({ length: 6000 }, () => 1) } })).length).toBe(1);
    expect(pointers(valid({ details: ['array'] }))).toEqual(['/details']);
    expect(pointers(valid({ details: { n: Number.NaN } }))).toEqual(['/details/n']);
  });

  it('treats null optional fields as absent and drops unknown keys', () => {
    const result = validateSecurityEvent(
      valid({ bootId: null, process: null, rule: null, futureField: { x: 1 }, blocked: null }),
      { now },
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Object.keys(result.event).sort()).toEqual([
      'action',
      'blocked',
      'eventKey',
      'host',
      'kind',
      'observedAt',
      'source',
    ]);
    const nested = validateSecurityEvent(valid({ process: { pid: 1, flavour: 'new' } }), { now });
    expect(nested.ok && nested.event.process).toEqual({ pid: 1 });
  });

  it('reports every problem at once', () => {
    expect(pointers(valid({ host: 3, process: { pid: 'x', uid: -2 }, raw: 7 }))).toEqual([
      '/host',
      '/process/pid',
      '/process/uid',
      '/raw',
    ]);
  });
});
