import { describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../security-event.js';
import {
  CONTAINER_ANNOTATION_SEPARATOR as RS,
  formatContainerAnnotation,
  splitContainerAnnotation,
  withContainer,
} from './container-annotation.js';

const ID = 'ab'.repeat(32);
const POD = '7d8c6f2e-1a2b-4c3d-9e8f-0a1b2c3d4e5f';
const LINE = 'type=SECCOMP msg=audit(1700000000.123:42): pid=7 comm="sh" code=0x50000';

describe('container annotation', () => {
  it('round-trips every field it carries', () => {
    const container = { id: ID, pod: POD, namespace: 'prod', name: 'web-1', image: 'nginx:1.27@sha256:00ff' };
    const annotated = LINE + formatContainerAnnotation(container);
    expect(annotated).toBe(
      `${LINE}${RS}id=${ID} name=web-1 image=nginx:1.27@sha256:00ff pod=${POD} namespace=prod`,
    );
    expect(splitContainerAnnotation(annotated)).toEqual({ ok: true, line: LINE, container });
  });

  it('leaves a line without the separator as it is, and carries nothing for an empty container', () => {
    expect(splitContainerAnnotation(LINE)).toEqual({ ok: true, line: LINE });
    expect(formatContainerAnnotation({})).toBe('');
  });

  it('refuses to format a value it could not carry', () => {
    expect(() => formatContainerAnnotation({ id: 'has space' })).toThrow(/container id "has space"/);
    expect(() => formatContainerAnnotation({ name: 'x'.repeat(257) })).toThrow(/container name/);
    expect(() => formatContainerAnnotation({ pod: 'ünïcode' })).toThrow(/container pod/);
  });

  it.each([
    ['', /is empty/],
    ['id', /id has no value/],
    ['id=', /id must be 1 to 256 visible ASCII/],
    [`id=${ID} id=${ID}`, /names id twice/],
    [`id=${ID}  pod=${POD}`, /unknown field ""/],
    ["container=1' OR '1'='1", /unknown field "container"/],
    [`id=${ID}\tpod=x`, /id must be/],
    [`id=${'x'.repeat(300)}`, /id must be 1 to 256/],
    [`id=${ID}${RS}pod=${POD}`, /id must be/],
    ['id=é', /id must be/],
  ])('names what is wrong in %j', (annotation, message) => {
    const out = splitContainerAnnotation(`${LINE}${RS}${annotation}`);
    expect(out.ok).toBe(false);
    expect(!out.ok && out.message).toMatch(message);
  });

  it('gives an event the container found for its process unless its record named one', () => {
    const event: SecurityEvent = {
      eventKey: 'k',
      observedAt: '2026-11-29T00:00:00.000000Z',
      host: 'h',
      source: 'auditd',
      kind: 'seccomp',
      action: 'log',
      blocked: false,
    };
    expect(withContainer(event, undefined)).toBe(event);
    expect(withContainer(event, { id: ID, pod: POD })).toEqual({ ...event, container: { id: ID, pod: POD } });
    const named = { ...event, container: { id: 'from-the-record' } };
    expect(withContainer(named, { id: ID, pod: POD })).toBe(named);
    const nameOnly = { ...event, container: { name: 'web' } };
    expect(withContainer(nameOnly, { id: ID })).toEqual({ ...event, container: { name: 'web', id: ID } });
  });
});
