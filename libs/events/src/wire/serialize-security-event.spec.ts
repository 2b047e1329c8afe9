import { describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../security-event.js';
import { validateSecurityEvent } from '../validation/validate-security-event.js';
import { serializeSecurityEvent } from './serialize-security-event.js';

const event: SecurityEvent = {
  raw: 'line',
  action: 'kill_thread',
  blocked: true,
  kind: 'seccomp',
  source: 'inspektor-gadget',
  host: 'edge-12',
  observedAt: '2026-03-02T09:30:00.123456Z',
  eventKey: 'inspektor-gadget:abc',
  process: { comm: 'unshare', pid: 51001 },
  container: {},
  syscall: { name: 'unshare', nr: undefined },
};

describe('serializeSecurityEvent', () => {
  it('writes fields in the wire order and leaves absent, null and empty values out', () => {
    expect(serializeSecurityEvent(event)).toBe(
      '{"eventKey":"inspektor-gadget:abc","observedAt":"2026-03-02T09:30:00.123456Z","host":"edge-12",' +
        '"source":"inspektor-gadget","kind":"seccomp","process":{"pid":51001,"comm":"unshare"},' +
        '"syscall":{"name":"unshare"},"action":"kill_thread","blocked":true,"raw":"line"}',
    );
  });

  it('drops properties that are not part of the wire format', () => {
    const extra = { ...event, internal: 1, process: { pid: 1, secret: 'x' } } as unknown as SecurityEvent;
    const json = JSON.parse(serializeSecurityEvent(extra)) as Record<string, unknown>;
    expect(json.internal).toBeUndefined();
    expect(json.process).toEqual({ pid: 1 });
  });

  it('round-trips through the validator unchanged', () => {
    const checked = validateSecurityEvent(JSON.parse(serializeSecurityEvent(event)), {
      now: () => Date.UTC(2026, 2, 2),
    });
    expect(checked.ok).toBe(true);
    if (checked.ok) expect(serializeSecurityEvent(checked.event)).toBe(serializeSecurityEvent(event));
  });
});
