import type { SecurityEvent } from '@sandtrap/events';
import { describe, expect, it } from 'vitest';
import { alertPayload, type AlertFiring } from './alert-payload.js';
import { eventMayMatch, type AlertRule } from './alert-rule.js';
import { backoffMs, DEFAULT_RETRY } from './webhook-sender.js';

const event: SecurityEvent = {
  eventKey: 'k',
  observedAt: '2026-11-29T06:00:00.000000Z',
  host: 'web-1',
  source: 'auditd',
  kind: 'seccomp',
  action: 'kill_process',
  blocked: true,
  syscall: { arch: 'x86_64', name: 'ptrace', nr: 101 },
  process: { pid: 7, exe: '/usr/bin/curl' },
};

const rule = (over: Partial<AlertRule> = {}): AlertRule => ({
  id: '6f1c1d9e-2b7a-4c1e-9a51-4f4f0d9b1e11',
  name: 'killed',
  match: {},
  threshold: 2,
  windowSeconds: 300,
  webhookUrl: 'http://127.0.0.1:1/hook',
  webhookFormat: 'generic',
  enabled: true,
  createdAt: '2026-11-29T00:00:00.000Z',
  createdBy: 'token:test',
  ...over,
});

describe('eventMayMatch', () => {
  it('matches when every given list holds the value; empty lists and labels do not filter', () => {
    expect(eventMayMatch({}, event)).toBe(true);
    expect(eventMayMatch({ actions: [], hostLabels: { env: 'prod' } }, event)).toBe(true);
    expect(
      eventMayMatch(
        { actions: ['kill_process'], syscalls: ['ptrace'], hosts: ['web-1'], exes: ['/usr/bin/curl'] },
        event,
      ),
    ).toBe(true);
  });

  it.each([
    [{ actions: ['errno'] }],
    [{ syscalls: ['mount'] }],
    [{ hosts: ['web-2'] }],
    [{ exes: ['/bin/sh'] }],
    [{ syscalls: ['ptrace'], exes: ['\u0000'] }],
  ])('does not match %j', (match) => {
    expect(eventMayMatch(match, event)).toBe(false);
  });

  it('an event without a syscall or exe does not match a rule that names them', () => {
    const bare: SecurityEvent = { ...event, syscall: undefined, process: undefined };
    expect(eventMayMatch({ syscalls: ['ptrace'] }, bare)).toBe(false);
    expect(eventMayMatch({ exes: ['/usr/bin/curl'] }, bare)).toBe(false);
  });
});

describe('alertPayload', () => {
  const firing = (format: AlertRule['webhookFormat']): AlertFiring => ({
    rule: rule({ webhookFormat: format }),
    count: 3,
    firedAt: new Date('2026-11-29T06:01:00Z'),
    events: [
      {
        observedAt: '2026-11-29T06:00:00.000Z',
        host: 'web-1',
        action: 'kill_process',
        syscall: 'ptrace',
        pid: 7,
        exe: '/usr/bin/curl',
        container: 'web',
        policy: 'nginx',
      },
    ],
  });

  it('generic JSON carries the rule, the count and the events with pid, exe, container and policy', () => {
    expect(alertPayload(firing('generic'))).toEqual({
      rule: { id: '6f1c1d9e-2b7a-4c1e-9a51-4f4f0d9b1e11', name: 'killed', threshold: 2, windowSeconds: 300 },
      count: 3,
      firedAt: '2026-11-29T06:01:00.000Z',
      events: firing('generic').events,
    });
  });

  it('Slack-compatible text names the event details', () => {
    const { text } = alertPayload(firing('slack')) as { text: string };
    expect(text).toBe(
      'Sandtrap alert "killed": 3 matching events in 300s (threshold 2)\n' +
        '• kill_process ptrace on web-1, exe /usr/bin/curl, pid 7, container web, policy nginx',
    );
  });

  it("Alertmanager's v2 body is a list of alerts with labels, annotations and startsAt", () => {
    const [alert] = alertPayload(firing('alertmanager')) as Array<
      Record<string, Record<string, string> | string>
    >;
    expect(alert).toEqual({
      labels: {
        alertname: 'SandtrapAlertRule',
        rule: 'killed',
        severity: 'warning',
        host: 'web-1',
        action: 'kill_process',
        syscall: 'ptrace',
      },
      annotations: {
        summary: 'Sandtrap alert "killed": 3 matching events in 300s (threshold 2)',
        description: 'kill_process ptrace on web-1, exe /usr/bin/curl, pid 7, container web, policy nginx',
      },
      startsAt: '2026-11-29T06:01:00.000Z',
    });
  });
});

describe('backoffMs', () => {
  it('waits nothing before the first attempt, then doubles', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(DEFAULT_RETRY, n))).toEqual([0, 500, 1000, 2000, 4000]);
  });
});
