import type { SecurityEvent } from '@sandtrap/events';
import { describe, expect, it } from 'vitest';
import { DEFAULT_VIOLATION_LABELS } from './metrics-config.js';
import { ViolationSeriesLimiter } from './violation-series-limiter.js';

function event(host: string, syscall: string | undefined, extra: Partial<SecurityEvent> = {}): SecurityEvent {
  return {
    eventKey: `${host}:${syscall}`,
    observedAt: '2026-11-29T06:00:00.000000Z',
    host,
    source: 'auditd',
    kind: 'seccomp',
    action: 'errno',
    blocked: true,
    ...(syscall === undefined ? {} : { syscall: { arch: 'x86_64', name: syscall, nr: 1 } }),
    ...extra,
  };
}

describe('ViolationSeriesLimiter', () => {
  it('gives every event its own labels while under the cap', () => {
    const limiter = new ViolationSeriesLimiter(DEFAULT_VIOLATION_LABELS, 100);
    const { key, ...r } = limiter.labelsFor(event('web-1', 'ptrace', { policy: 'nginx' }));
    expect(key).toBe(limiter.labelsFor(event('web-1', 'ptrace', { policy: 'nginx', eventKey: 'other' })).key);
    expect(r).toEqual({
      labels: {
        action: 'errno',
        blocked: 'true',
        syscall: 'ptrace',
        arch: 'x86_64',
        source: 'auditd',
        host: 'web-1',
        policy: 'nginx',
      },
      folded: [],
    });
    expect(limiter.seriesCount).toBe(1);
    limiter.labelsFor(event('web-1', 'ptrace', { policy: 'nginx' }));
    expect(limiter.seriesCount).toBe(1);
  });

  it('folds syscall, then host, into "other" once the cap is reached, and reuses known series', () => {
    const limiter = new ViolationSeriesLimiter(DEFAULT_VIOLATION_LABELS, 3);
    limiter.labelsFor(event('a', 's1'));
    limiter.labelsFor(event('a', 's2'));
    limiter.labelsFor(event('a', 's3'));
    expect(limiter.labelsFor(event('a', 's1')).folded).toEqual([]);
    // a new syscall: no room, and (a, other) is new too -> host folded as well
    const fourth = limiter.labelsFor(event('a', 's4'));
    expect(fourth.folded).toEqual(['syscall', 'host']);
    expect(fourth.labels).toMatchObject({ syscall: 'other', host: 'other' });
    // that folded series now exists and is reused by any other new host and syscall
    expect(limiter.labelsFor(event('b', 's9')).labels).toMatchObject({ syscall: 'other', host: 'other' });
    expect(limiter.seriesCount).toBe(4);
  });

  it('folds only the syscall when the host already has an "other" series', () => {
    const limiter = new ViolationSeriesLimiter(DEFAULT_VIOLATION_LABELS, 2);
    limiter.labelsFor(event('a', 's1'));
    limiter.labelsFor(event('a', 'other'));
    const r = limiter.labelsFor(event('a', 's2'));
    expect(r.folded).toEqual(['syscall']);
    expect(r.labels).toMatchObject({ syscall: 'other', host: 'a' });
  });

  it('stays bounded under a flood of distinct hosts and syscalls', () => {
    const limiter = new ViolationSeriesLimiter(DEFAULT_VIOLATION_LABELS, 50);
    const actions = ['errno', 'kill_process', 'log', 'trap'] as const;
    for (let i = 0; i < 20_000; i++) {
      const action = actions[i % actions.length]!;
      limiter.labelsFor(
        event(`host-${i % 997}`, `sys_${i % 331}`, {
          action,
          blocked: action !== 'log',
          source: i % 2 ? 'kmsg' : 'auditd',
          policy: `p${i % 13}`,
        }),
      );
    }
    // 50 series, plus folded ones bounded by action x source x policy (4 x 2 x 13), not by
    // the 997 hosts x 331 syscalls of the input
    expect(limiter.seriesCount).toBeLessThanOrEqual(50 + actions.length * 2 * 13);
    expect(limiter.seriesCount).toBeGreaterThanOrEqual(50);
  });

  it('does not count a value that already is "other" as folded', () => {
    const limiter = new ViolationSeriesLimiter(['action', 'blocked', 'syscall'], 1);
    limiter.labelsFor(event('a', 'read'));
    expect(limiter.labelsFor(event('a', 'other')).folded).toEqual([]);
  });

  it('labels events without a syscall, arch or policy with explicit placeholders', () => {
    const limiter = new ViolationSeriesLimiter(DEFAULT_VIOLATION_LABELS, 10);
    const r = limiter.labelsFor(
      event('h', undefined, { action: 'alert', blocked: false, source: 'falco', kind: 'runtime' }),
    );
    expect(r.labels).toMatchObject({
      syscall: 'unknown',
      arch: 'unknown',
      policy: '',
      blocked: 'false',
      action: 'alert',
    });
    const nrOnly = limiter.labelsFor(event('h', undefined, { syscall: { nr: 101 } }));
    expect(nrOnly.labels.syscall).toBe('nr_101');
  });

  it('exports container, pod and exe only when configured', () => {
    const e = event('h', 'read', {
      container: { id: 'abc', name: 'web', pod: 'web-0', namespace: 'prod' },
      process: { exe: '/usr/bin/curl' },
    });
    expect(
      Object.keys(new ViolationSeriesLimiter(DEFAULT_VIOLATION_LABELS, 10).labelsFor(e).labels),
    ).not.toContain('pod');
    const wide = new ViolationSeriesLimiter(
      ['action', 'blocked', 'container', 'pod', 'namespace', 'exe'],
      10,
    );
    expect(wide.labelsFor(e).labels).toEqual({
      action: 'errno',
      blocked: 'true',
      container: 'web',
      pod: 'web-0',
      namespace: 'prod',
      exe: '/usr/bin/curl',
    });
  });
});
