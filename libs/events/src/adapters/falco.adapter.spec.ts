import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createToolAdapter } from './tool-adapter.js';

const lines = readFileSync(new URL('../../../../test/fixtures/events/falco.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.length > 0);

function eventOf(line: string, host?: string) {
  const result = createToolAdapter('falco', { host }).adaptLine(line);
  if (!result.ok || result.event === null) throw new Error(`expected an event: ${JSON.stringify(result)}`);
  return result.event;
}

describe('falco adapter', () => {
  it('maps a Kubernetes alert', () => {
    const { raw, eventKey, details, ...event } = eventOf(lines[0]);
    expect(event).toEqual({
      observedAt: '2026-03-02T09:20:01.555666Z',
      host: 'falco-node-b7',
      source: 'falco',
      kind: 'runtime',
      action: 'alert',
      blocked: false,
      rule: 'Terminal shell in container',
      severity: 'critical',
      process: { pid: 5120, ppid: 5101, auid: 4294967295, comm: 'bash', cmdline: 'bash -i' },
      container: {
        id: '4f1c2a9e0b7d',
        image: 'registry.example.net/ledger',
        pod: 'ledger-7d9f8c6b5-x2kqp',
        namespace: 'payments',
      },
    });
    expect(raw).toBe(lines[0]);
    expect(eventKey).toMatch(/^falco:[0-9a-f]{40}$/);
    expect(details).toMatchObject({ source: 'syscall', tags: ['container', 'mitre_execution', 'shell'] });
    expect(details?.outputFields).toMatchObject({ 'proc.tty': 34817 });
  });

  it('maps a host alert: null Kubernetes fields, container "host", evt.type as the syscall', () => {
    const event = eventOf(lines[1]);
    expect(event.container).toBeUndefined();
    expect(event.syscall).toEqual({ name: 'openat' });
    expect(event.process).toEqual({
      uid: 1500,
      auid: 1500,
      comm: 'cat',
      exe: '/usr/bin/cat',
      cmdline: 'cat /etc/shadow',
    });
    expect(event.severity).toBe('warning');
  });

  it('joins image repository and tag, and takes the host from the option when the alert has none', () => {
    expect(() => eventOf(lines[2])).toThrow(/no_host/);
    const event = eventOf(lines[2], 'enrolled-7');
    expect(event.host).toBe('enrolled-7');
    expect(event.container).toEqual({
      id: '9a8b7c6d5e4f',
      name: 'toolbox',
      image: 'docker.io/library/busybox:1.36',
    });
  });

  it('falls back to evt.time with its exact digits when time is absent', () => {
    const json = JSON.parse(lines[2]) as Record<string, unknown>;
    delete json.time;
    const line = JSON.stringify(json).replace('1772445723000000000', '1772445723000000001');
    expect(eventOf(line, 'h').observedAt).toBe('2026-03-02T10:02:03.000000Z');
    // 1772445722999999999 parses to the same double as ...723000000000; the text decides.
    const before = line.replace('1772445723000000001', '1772445722999999999');
    expect(eventOf(before, 'h').observedAt).toBe('2026-03-02T10:02:02.999999Z');
  });

  it('returns typed errors for missing rule or time and wrong types', () => {
    const adapter = createToolAdapter('falco', { host: 'h' });
    const base = JSON.parse(lines[0]) as Record<string, unknown>;
    const cases: [unknown, string][] = [
      [{ ...base, rule: undefined }, 'missing_field'],
      [{ ...base, rule: 42 }, 'missing_field'],
      [{ ...base, time: undefined, output_fields: {} }, 'missing_field'],
      [{ ...base, time: '13:44:05' }, 'invalid_field'],
      [{ ...base, time: 1685022245 }, 'invalid_field'],
      ['alert', 'not_an_object'],
    ];
    for (const [input, code] of cases) {
      const result = adapter.adapt(input);
      expect(result.ok ? 'ok' : result.error.code).toBe(code);
    }
  });

  it('tolerates nulls and garbage in output_fields', () => {
    const adapter = createToolAdapter('falco', { host: 'h' });
    const fields = Object.fromEntries(
      ['proc.pid', 'proc.name', 'user.uid', 'container.id', 'k8s.pod.name', 'evt.type'].map((k) => [k, null]),
    );
    for (const output_fields of [
      fields,
      null,
      'x',
      [1, 2],
      { 'proc.pid': -4, 'user.uid': 'root', 'proc.name': 'a\u0000b' },
    ]) {
      const result = adapter.adapt({ rule: 'r', time: '2026-03-02T10:00:00Z', output_fields });
      expect(result.ok).toBe(true);
    }
    const nul = adapter.adapt({
      rule: 'r',
      time: '2026-03-02T10:00:00Z',
      output_fields: { 'proc.name': 'a\u0000b' },
    });
    expect(nul.ok && nul.event?.process?.comm).toBe('a\uFFFDb');
  });
});
