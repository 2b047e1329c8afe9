import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createToolAdapter } from './tool-adapter.js';

const lines = readFileSync(new URL('../../../../test/fixtures/events/tracee.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.length > 0);

function eventOf(line: string, host?: string) {
  const result = createToolAdapter('tracee', { host }).adaptLine(line);
  if (!result.ok || result.event === null) throw new Error(`expected an event: ${JSON.stringify(result)}`);
  return result.event;
}

describe('tracee adapter', () => {
  it('maps a legacy trace.Event with nested container and kubernetes objects', () => {
    const { raw, eventKey, details, ...event } = eventOf(lines[0]);
    expect(event).toEqual({
      // The text says ...300123456789; JSON.parse alone would say ...300123456768.
      observedAt: '2026-03-02T09:21:40.123456Z',
      host: 'worker-us-1',
      source: 'tracee',
      kind: 'runtime',
      action: 'alert',
      blocked: false,
      rule: 'openat',
      policy: 'file-watch',
      process: { pid: 61234, tid: 61235, ppid: 61200, uid: 0, comm: 'wget' },
      container: {
        id: 'c0ffee1234567890c0ffee1234567890c0ffee1234567890c0ffee1234567890',
        name: 'fetcher',
        image: 'docker.io/library/alpine:3.20',
        pod: 'fetcher-5c6d7',
        namespace: 'batch',
      },
      syscall: { name: 'openat', compat: false },
    });
    expect(raw).toBe(lines[0]);
    expect(eventKey).toMatch(/^tracee:[0-9a-f]{40}$/);
    expect(details).toMatchObject({ eventId: '257', namespacePid: 88, namespaceTid: 89, returnValue: 3 });
  });

  it('maps a legacy signature event with flat container fields and metadata', () => {
    const event = eventOf(lines[1]);
    expect(event).toMatchObject({
      rule: 'New executable dropped',
      severity: '2',
      container: {
        id: expect.stringMatching(/^ab12/),
        name: 'builder',
        image: 'docker.io/library/debian:12',
        pod: 'builder-0',
        namespace: 'ci',
      },
      process: { pid: 9412, comm: 'apt' },
    });
    expect(event.syscall).toBeUndefined();
    expect(event.policy).toBeUndefined();
    expect(event.details).toMatchObject({ signatureId: 'TRC-1022' });
  });

  it('maps a v1beta1 event, whose host comes from the option', () => {
    expect(() => eventOf(lines[2])).toThrow(/no_host/);
    const { raw: _raw, eventKey: _key, details, ...event } = eventOf(lines[2], 'worker-us-2');
    expect(event).toEqual({
      observedAt: '2026-03-02T09:21:42.987654Z',
      host: 'worker-us-2',
      source: 'tracee',
      kind: 'runtime',
      action: 'alert',
      blocked: false,
      rule: 'Service account token read',
      severity: 'high',
      policy: 'secrets-watch',
      process: {
        pid: 70001,
        tid: 70001,
        ppid: 69990,
        uid: 1000,
        comm: 'python3',
        exe: '/usr/bin/python3.12',
      },
      container: {
        id: 'feedface00000000feedface00000000feedface00000000feedface00000000',
        name: 'notebook',
        image: 'quay.io/example/notebook:7',
        pod: 'notebook-0',
        namespace: 'research',
      },
      syscall: { name: 'openat' },
    });
    expect(details).toMatchObject({
      name: 'security_file_open',
      data: [{ name: 'pathname', str: '/var/run/secrets/token' }],
    });
  });

  it('accepts the RFC 3339 string form of a v1beta1 timestamp', () => {
    const json = JSON.parse(lines[2]) as Record<string, unknown>;
    json.timestamp = '2026-03-02T09:21:42.987654321Z';
    const result = createToolAdapter('tracee', { host: 'h' }).adapt(json);
    expect(result.ok && result.event?.observedAt).toBe('2026-03-02T09:21:42.987654Z');
  });

  it('returns typed errors for missing time, missing name and unknown shapes', () => {
    const adapter = createToolAdapter('tracee', { host: 'h' });
    const legacy = JSON.parse(lines[0]) as Record<string, unknown>;
    const v1 = JSON.parse(lines[2]) as Record<string, unknown>;
    const cases: [unknown, string][] = [
      [{ ...legacy, timestamp: undefined }, 'missing_field'],
      [{ ...legacy, timestamp: -5 }, 'missing_field'],
      [{ ...legacy, timestamp: 'soon' }, 'missing_field'],
      [{ ...legacy, eventName: undefined, processName: 'x' }, 'missing_field'],
      [{ ...v1, timestamp: { seconds: 'x' } }, 'missing_field'],
      [{ ...v1, timestamp: { seconds: '1', nanos: 2e9 } }, 'missing_field'],
      [{ ...v1, name: undefined, id: undefined }, 'missing_field'],
      [{ hello: 'world' }, 'unknown_event_type'],
    ];
    for (const [input, code] of cases) {
      const result = adapter.adapt(input);
      expect(result.ok ? 'ok' : result.error.code, JSON.stringify(input).slice(0, 60)).toBe(code);
    }
  });

  it('tolerates nulls everywhere in a legacy event', () => {
    const legacy = JSON.parse(lines[0]) as Record<string, unknown>;
    const nulled = Object.fromEntries(Object.keys(legacy).map((key) => [key, null]));
    const result = createToolAdapter('tracee', { host: 'h' }).adapt({
      ...nulled,
      timestamp: legacy.timestamp,
      eventName: 'x',
    });
    expect(result.ok && result.event).toMatchObject({ rule: 'x', host: 'h' });
  });
});
