import type { SecurityEvent } from '@sandtrap/events';
import { describe, expect, it } from 'vitest';
import { containerFromCgroup } from './cgroup-path.js';
import { ContainerResolver } from './container-resolver.js';

const ID = 'a'.repeat(48) + '0123456789abcdef';

describe('cgroup paths', () => {
  it('reads containerd kubepods (systemd driver) with the pod uid', () => {
    const text = `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1b2c3d4e_aaaa_bbbb_cccc_0123456789ab.slice/cri-containerd-${ID}.scope\n`;
    expect(containerFromCgroup(text)).toEqual({ id: ID, pod: '1b2c3d4e-aaaa-bbbb-cccc-0123456789ab' });
  });
  it('reads cri-o, docker (systemd and cgroupfs), podman and cgroup v1 lines', () => {
    expect(
      containerFromCgroup(
        `0::/kubepods.slice/kubepods-pod11111111_2222_3333_4444_555555555555.slice/crio-${ID}.scope`,
      ),
    ).toEqual({
      id: ID,
      pod: '11111111-2222-3333-4444-555555555555',
    });
    expect(containerFromCgroup(`0::/system.slice/docker-${ID}.scope`)).toEqual({ id: ID });
    expect(containerFromCgroup(`12:pids:/docker/${ID}\n11:memory:/docker/${ID}`)).toEqual({ id: ID });
    expect(
      containerFromCgroup(
        `0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope/container`,
      ),
    ).toEqual({ id: ID });
    expect(
      containerFromCgroup(`3:cpu:/kubepods/besteffort/pod11111111-2222-3333-4444-555555555555/${ID}`),
    ).toEqual({
      id: ID,
      pod: '11111111-2222-3333-4444-555555555555',
    });
  });
  it('finds nothing on the host, and nothing in garbage', () => {
    expect(containerFromCgroup('0::/user.slice/user-0.slice/session-3.scope\n')).toBeUndefined();
    for (const garbage of [
      '',
      '\u0000\u00ff',
      'docker-abc.scope',
      `0::docker-${ID.slice(1)}.scope`,
      ':::::',
    ]) {
      expect(containerFromCgroup(garbage)).toBeUndefined();
    }
  });
});

describe('container resolver', () => {
  const event = (pid?: number): SecurityEvent => ({
    eventKey: 'k',
    observedAt: '2026-01-01T00:00:00.000000Z',
    host: 'h',
    source: 'kmsg',
    kind: 'seccomp',
    action: 'errno',
    blocked: true,
    process: pid === undefined ? undefined : { pid },
  });

  it('caches per pid (dead ones too) for the TTL and evicts the least recently used', () => {
    let now = 0;
    const reads: number[] = [];
    const resolver = new ContainerResolver({
      maxEntries: 2,
      ttlMs: 100,
      now: () => now,
      readCgroup: (pid) => {
        reads.push(pid);
        return pid === 9 ? undefined : `0::/system.slice/docker-${ID}.scope`;
      },
    });
    expect(resolver.enrich(event(1)).container).toEqual({ id: ID });
    resolver.resolve(1);
    expect(reads).toEqual([1]);
    resolver.resolve(2);
    resolver.resolve(1);
    resolver.resolve(3); // evicts 2, the least recently used
    resolver.resolve(1);
    resolver.resolve(2);
    expect(reads).toEqual([1, 2, 3, 2]);
    now = 200;
    resolver.resolve(1);
    expect(reads.at(-1)).toBe(1);
    expect(resolver.enrich(event(9)).container).toBeUndefined();
    resolver.resolve(9);
    expect(reads.filter((p) => p === 9)).toHaveLength(1);
    now = 400;
    resolver.resolve(9);
    expect(reads.filter((p) => p === 9)).toHaveLength(2);
    expect(resolver.enrich(event()).container).toBeUndefined();
  });
});
