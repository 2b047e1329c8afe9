import { describe, expect, it } from 'vitest';
import { hostMatchesSelector, stateOf } from './host.js';

const host = { name: 'web-1', labels: { env: 'prod', team: 'edge' } };

describe('hostMatchesSelector', () => {
  it('matches every host with an empty selector', () => {
    expect(hostMatchesSelector(host, {})).toBe(true);
  });
  it('needs every label of matchLabels', () => {
    expect(hostMatchesSelector(host, { matchLabels: { env: 'prod' } })).toBe(true);
    expect(hostMatchesSelector(host, { matchLabels: { env: 'prod', team: 'core' } })).toBe(false);
    expect(hostMatchesSelector(host, { matchLabels: { zone: 'a' } })).toBe(false);
  });
  it('needs the name among hostNames when given, together with the labels', () => {
    expect(hostMatchesSelector(host, { hostNames: ['web-1', 'web-2'] })).toBe(true);
    expect(hostMatchesSelector(host, { hostNames: [] })).toBe(false);
    expect(hostMatchesSelector(host, { hostNames: ['web-1'], matchLabels: { env: 'dev' } })).toBe(false);
  });
  it('does not treat inherited object keys as labels', () => {
    expect(hostMatchesSelector({ name: 'x', labels: {} }, { matchLabels: { toString: 'y' } })).toBe(false);
  });
});

describe('stateOf', () => {
  const now = new Date('2026-01-01T12:00:00Z');
  it('is reporting within 5 minutes of an event or a heartbeat', () => {
    expect(stateOf(new Date('2026-01-01T11:56:00Z'), null, now)).toBe('reporting');
    expect(stateOf(new Date('2026-01-01T10:00:00Z'), new Date('2026-01-01T11:55:30Z'), now)).toBe(
      'reporting',
    );
  });
  it('is silent after 5 minutes without either', () => {
    expect(stateOf(new Date('2026-01-01T11:54:59Z'), new Date('2026-01-01T11:50:00Z'), now)).toBe('silent');
  });
});
