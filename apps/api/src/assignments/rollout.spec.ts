import { describe, expect, it } from 'vitest';
import type { Assignment } from './assignment.js';
import { effectiveVersion, hostRolloutStatus, pickCanaryHosts } from './rollout.js';

const base: Assignment = {
  id: 'a1',
  policyId: 'p1',
  policy: 'web',
  version: 3,
  previousVersion: 2,
  selector: {},
  mode: 'enforce',
  stage: 'canary',
  canaryHostIds: ['h1'],
  soakSeconds: null,
  stageStartedAt: '2026-01-01T00:00:00.000Z',
  createdAt: '2026-01-01T00:00:00.000Z',
  createdBy: 'token:ops',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

describe('effectiveVersion', () => {
  it('gives canary hosts the new version and the others the previous one', () => {
    expect(effectiveVersion(base, 'h1')).toBe(3);
    expect(effectiveVersion(base, 'h2')).toBe(2);
  });
  it('gives no version to non-canary hosts of a first rollout', () => {
    expect(effectiveVersion({ ...base, previousVersion: null }, 'h2')).toBeUndefined();
  });
  it('gives every host the new version once complete, the previous one after a rollback', () => {
    expect(effectiveVersion({ ...base, stage: 'complete' }, 'h2')).toBe(3);
    expect(effectiveVersion({ ...base, stage: 'rolled_back' }, 'h1')).toBe(2);
    expect(effectiveVersion({ ...base, stage: 'rolled_back', previousVersion: null }, 'h1')).toBeUndefined();
  });
});

describe('pickCanaryHosts', () => {
  const hosts = Array.from({ length: 10 }, (_, i) => `host-${i}`);
  it('takes the share, rounded up, at least one', () => {
    expect(pickCanaryHosts(hosts, 0.25, 's')).toHaveLength(3);
    expect(pickCanaryHosts(hosts, 0.01, 's')).toHaveLength(1);
    expect(pickCanaryHosts(hosts, 1, 's')).toHaveLength(10);
  });
  it('is stable for a seed and differs between seeds', () => {
    expect(pickCanaryHosts(hosts, 0.3, 'a')).toEqual(pickCanaryHosts([...hosts].reverse(), 0.3, 'a'));
    const picks = new Set(['a', 'b', 'c', 'd', 'e'].map((s) => pickCanaryHosts(hosts, 0.3, s).join()));
    expect(picks.size).toBeGreaterThan(1);
  });
});

describe('hostRolloutStatus', () => {
  const changed = new Date('2026-01-01T00:00:00Z');
  const after = new Date('2026-01-01T00:01:00Z');
  const before = new Date('2025-12-31T23:00:00Z');
  it('is pending with no report, or a report older than the change', () => {
    expect(hostRolloutStatus('abc', undefined, changed)).toBe('pending');
    expect(hostRolloutStatus('abc', { sha256: 'old', error: null, reportedAt: before }, changed)).toBe(
      'pending',
    );
  });
  it('is applied when the reported hash matches', () => {
    expect(hostRolloutStatus('abc', { sha256: 'abc', error: null, reportedAt: before }, changed)).toBe(
      'applied',
    );
  });
  it('is failed on an error and drift on another hash reported since the change', () => {
    expect(hostRolloutStatus('abc', { sha256: null, error: 'EACCES', reportedAt: after }, changed)).toBe(
      'failed',
    );
    expect(hostRolloutStatus('abc', { sha256: 'other', error: null, reportedAt: after }, changed)).toBe(
      'drift',
    );
  });
});
