import { describe, expect, it } from 'vitest';
import { RAW_MAX_BYTES } from '../security-event.js';
import { BPF_SENSOR_MAX_LINE, createBpfSensorAdapter, type BpfSensorLineResult } from './bpf-sensor.js';

// Boot at 2026-11-29T05:00:00.000250Z (a fractional millisecond, to check the microseconds).
const BOOT_MS = Date.UTC(2026, 10, 29, 5, 0, 0, 0) + 0.25;
const adapter = createBpfSensorAdapter({
  host: 'node-7',
  bootId: 'b00t',
  bootTimeMs: BOOT_MS,
  arch: 'x86_64',
});

const DENY =
  'sandtrap-bpf/1 deny ts=3600123456789 pid=4242 tid=4243 nr=135 ret=-1 cgroup=8123 comm=nginx worker';
const KILL =
  'sandtrap-bpf/1 sigsys ts=5000000000 pid=77 tid=77 nr=121 sig=31 code=1 handler=0 cgroup=1 comm=sp';
const TRAP =
  'sandtrap-bpf/1 sigsys ts=5000001000 pid=78 tid=79 nr=124 sig=31 code=1 handler=1 cgroup=1 comm=sp';

const envelope = (data: string) => JSON.stringify({ type: 'printf', data: `${data}\n` });

function eventOf(result: BpfSensorLineResult) {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  if (!result.event) throw new Error('expected an event');
  return result.event;
}

function errorCodeOf(result: BpfSensorLineResult) {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result.error.code;
}

describe('createBpfSensorAdapter', () => {
  it('maps an entry-less error exit to an errno seccomp event', () => {
    const line = envelope(DENY);
    const event = eventOf(adapter.adaptLine(line));
    expect(event).toEqual({
      eventKey: 'bpf:b00t:4243:3600123456789',
      observedAt: '2026-11-29T06:00:00.123706Z',
      host: 'node-7',
      bootId: 'b00t',
      source: 'bpf',
      kind: 'seccomp',
      process: { pid: 4242, tid: 4243, comm: 'nginx worker' },
      syscall: { arch: 'x86_64', nr: 135, name: 'personality' },
      action: 'errno',
      errno: { nr: 1, name: 'EPERM' },
      blocked: true,
      details: { cgroupId: '8123', inferredFrom: 'sys_exit without sys_enter' },
      raw: line,
    });
  });

  it('accepts the bare text-mode record the same way, with a different raw', () => {
    const fromText = eventOf(adapter.adaptLine(DENY));
    const fromJson = eventOf(adapter.adaptLine(envelope(DENY)));
    expect({ ...fromText, raw: undefined }).toEqual({ ...fromJson, raw: undefined });
    expect(fromText.raw).toBe(DENY);
  });

  it('maps SIGSYS with the default action to kill_process and a caught one to trap', () => {
    const kill = eventOf(adapter.adaptLine(envelope(KILL)));
    expect(kill).toMatchObject({
      action: 'kill_process',
      blocked: true,
      signal: { nr: 31, name: 'SIGSYS' },
      syscall: { arch: 'x86_64', nr: 121, name: 'getpgid' },
      process: { pid: 77, tid: 77, comm: 'sp' },
      details: { sigsysHandler: false },
      observedAt: '2026-11-29T05:00:05.000250Z',
    });
    expect(kill.errno).toBeUndefined();
    const trap = eventOf(adapter.adaptLine(TRAP));
    expect(trap).toMatchObject({
      action: 'trap',
      blocked: true,
      syscall: { nr: 124, name: 'getsid' },
      details: { sigsysHandler: true },
      eventKey: 'bpf:b00t:79:5000001000',
    });
  });

  it('keeps syscall id -1 without a name and resolves with the configured arch', () => {
    const event = eventOf(adapter.adaptLine(DENY.replace('nr=135', 'nr=-1')));
    expect(event.syscall).toEqual({ arch: 'x86_64', nr: -1 });
    const arm = createBpfSensorAdapter({ host: 'a', bootId: 'b', bootTimeMs: 0, arch: 'aarch64' });
    expect(eventOf(arm.adaptLine(DENY.replace('nr=135', 'nr=92'))).syscall).toEqual({
      arch: 'aarch64',
      nr: 92,
      name: 'personality',
    });
  });

  it('names x32 syscalls (0x40000000 bit) from the x32 table on x86_64', () => {
    const event = eventOf(adapter.adaptLine(DENY.replace('nr=135', `nr=${0x40000000 + 41}`)));
    expect(event.syscall).toEqual({ arch: 'x32', nr: 0x40000000 + 41, name: 'socket', compat: true });
  });

  it('keeps nanosecond timestamps beyond 2^53 exact in the key', () => {
    const ts = '18446744073709551615';
    const event = eventOf(adapter.adaptLine(DENY.replace('ts=3600123456789', `ts=${ts}`)));
    expect(event.eventKey).toBe(`bpf:b00t:4243:${ts}`);
    expect(event.observedAt).toMatch(/^2611-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it('keeps a comm with quotes, spaces and a newline (bpftrace escapes it in JSON)', () => {
    const event = eventOf(adapter.adaptLine(envelope(DENY.replace('nginx worker', 'a "b"\nc'))));
    expect(event.process?.comm).toBe('a "b"\nc');
  });

  it('counts lost events in both output modes', () => {
    expect(adapter.adaptLine('{"type": "lost_events", "data": {"events": 12}}')).toEqual({
      ok: true,
      event: null,
      lost: 12,
    });
    expect(adapter.adaptLine('Lost 3 events')).toEqual({ ok: true, event: null, lost: 3 });
  });

  it('passes over bpftrace chatter without an event', () => {
    for (const line of [
      '{"type": "attached_probes", "data": {"probes": 7}}',
      'Attaching 7 probes...',
      '',
      '  ',
    ]) {
      expect(adapter.adaptLine(line)).toEqual({ ok: true, event: null });
    }
  });

  it('rejects garbage with a typed error and keeps working afterwards', () => {
    const cases: [string, string][] = [
      ['{"type": "printf", "data": ', 'BPF_BAD_JSON'],
      ['{not json at all', 'BPF_BAD_JSON'],
      ['[1,2]', 'BPF_UNKNOWN_LINE'],
      ['{}', 'BPF_BAD_ENVELOPE'],
      ['{"type": "printf", "data": 5}', 'BPF_BAD_ENVELOPE'],
      ['{"type": "lost_events", "data": {"events": -1}}', 'BPF_BAD_ENVELOPE'],
      ['{"type": "lost_events"}', 'BPF_BAD_ENVELOPE'],
      ['{"type": "syscall", "data": "x"}', 'BPF_BAD_ENVELOPE'],
      ['{"data": "x"}', 'BPF_BAD_ENVELOPE'],
      ['hello world', 'BPF_UNKNOWN_LINE'],
      ['\u0000\u0001\u00ff', 'BPF_UNKNOWN_LINE'],
      [envelope('something else'), 'BPF_BAD_RECORD'],
      ['sandtrap-bpf/1 deny ts=1 pid=1', 'BPF_BAD_RECORD'],
      ['sandtrap-bpf/1 explode ts=1 pid=1 tid=1 nr=1 ret=-1 cgroup=1 comm=x', 'BPF_BAD_RECORD'],
      [DENY.replace('ret=-1', 'ret=-0'), 'BPF_BAD_RECORD'],
      [DENY.replace('ret=-1', 'ret=-4096'), 'BPF_BAD_RECORD'],
      [DENY.replace('ret=-1', 'ret=5'), 'BPF_BAD_RECORD'],
      [DENY.replace('nr=135', 'nr=-2'), 'BPF_BAD_RECORD'],
      [DENY.replace('nr=135', 'nr=abc'), 'BPF_BAD_RECORD'],
      [DENY.replace('pid=4242', 'pid=0'), 'BPF_BAD_RECORD'],
      [DENY.replace('tid=4243', 'tid=99999999'), 'BPF_BAD_RECORD'],
      [DENY.replace('ts=3600123456789', 'ts=18446744073709551616'), 'BPF_BAD_RECORD'],
      [DENY.replace('ts=3600123456789', 'ts=-5'), 'BPF_BAD_RECORD'],
      [DENY.replace('cgroup=8123', 'cgroup=99999999999999999999'), 'BPF_BAD_RECORD'],
      [DENY.replace('nginx worker', 'x'.repeat(65)), 'BPF_BAD_RECORD'],
      [KILL.replace('code=1', 'code=0'), 'BPF_BAD_RECORD'],
      [KILL.replace('sig=31', 'sig=0'), 'BPF_BAD_RECORD'],
      [KILL.replace('sig=31', 'sig=65'), 'BPF_BAD_RECORD'],
      [KILL.replace('handler=0', 'handler=2'), 'BPF_BAD_RECORD'],
      ['x'.repeat(BPF_SENSOR_MAX_LINE + 1), 'BPF_LINE_TOO_LONG'],
      ['Lost 99999999999999999999 events', 'BPF_UNKNOWN_LINE'],
    ];
    for (const [line, code] of cases) {
      expect([line.slice(0, 60), errorCodeOf(adapter.adaptLine(line))]).toEqual([line.slice(0, 60), code]);
      expect(eventOf(adapter.adaptLine(DENY)).process?.pid).toBe(4242);
    }
  });

  it('bounds raw to RAW_MAX_BYTES', () => {
    // Unknown envelope keys are tolerated; 3-byte characters make a legal line over the bound.
    const padded = JSON.stringify({ type: 'printf', data: `${DENY}\n`, pad: '€'.repeat(3000) });
    expect(Buffer.byteLength(padded, 'utf8')).toBeGreaterThan(RAW_MAX_BYTES);
    const event = eventOf(adapter.adaptLine(padded));
    expect(Buffer.byteLength(event.raw ?? '', 'utf8')).toBeLessThanOrEqual(RAW_MAX_BYTES);
    expect(padded.startsWith(event.raw ?? 'x')).toBe(true);
  });

  it('refuses a boot time that is not a number', () => {
    expect(() =>
      createBpfSensorAdapter({ host: 'h', bootId: 'b', bootTimeMs: Number.NaN, arch: 'x86_64' }),
    ).toThrow(RangeError);
  });
});
