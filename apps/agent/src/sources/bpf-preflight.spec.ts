import { describe, expect, it } from 'vitest';
import { checkBpfPreflight, SENSOR_TRACEPOINTS, type BpfHost } from './bpf-preflight.js';

const ALL_PATHS = [
  '/sys/kernel/tracing/events',
  ...SENSOR_TRACEPOINTS.map((t) => `/sys/kernel/tracing/events/${t}`),
  '/sys/kernel/btf/vmlinux',
];

/** An in-memory host: `paths` exist, mounting tracefs adds its tracepoints unless it fails. */
function fakeHost(overrides: Partial<BpfHost> & { paths?: string[]; mountFails?: boolean } = {}) {
  const paths = new Set(overrides.paths ?? ALL_PATHS);
  const mounts: string[] = [];
  const host: BpfHost = {
    uid: () => 0,
    findExecutable: async (name) => (name === 'bpftrace' ? '/usr/bin/bpftrace' : undefined),
    exists: async (path) => paths.has(path),
    mountTracefs: async (path) => {
      if (overrides.mountFails) throw new Error('mount: permission denied');
      mounts.push(path);
      for (const p of ALL_PATHS.filter((p) => p.startsWith(path))) paths.add(p);
    },
    ...overrides,
  };
  return { host, mounts };
}

describe('checkBpfPreflight', () => {
  it('passes on a ready host without mounting anything', async () => {
    const { host, mounts } = fakeHost();
    await expect(checkBpfPreflight({}, host)).resolves.toEqual({
      bpftrace: '/usr/bin/bpftrace',
      mountedTracefs: false,
    });
    const withSetpriv = fakeHost({ findExecutable: async (name) => `/usr/bin/${name}` }).host;
    await expect(checkBpfPreflight({}, withSetpriv)).resolves.toMatchObject({ setpriv: '/usr/bin/setpriv' });
    expect(mounts).toEqual([]);
  });

  it('mounts tracefs when /sys/kernel/tracing is empty', async () => {
    const { host, mounts } = fakeHost({ paths: ['/sys/kernel/btf/vmlinux'] });
    await expect(checkBpfPreflight({}, host)).resolves.toMatchObject({ mountedTracefs: true });
    expect(mounts).toEqual(['/sys/kernel/tracing']);
  });

  it.each([
    ['NOT_ROOT', fakeHost({ uid: () => 1000 }).host, /uid 1000/],
    ['NO_BPFTRACE', fakeHost({ findExecutable: async () => undefined }).host, /bpftrace not found/],
    ['NO_TRACEPOINTS', fakeHost({ paths: [], mountFails: true }).host, /mounting tracefs there failed/],
    [
      'NO_TRACEPOINTS',
      fakeHost({ paths: ALL_PATHS.filter((p) => !p.endsWith('signal_deliver')) }).host,
      /signal\/signal_deliver/,
    ],
    ['NO_BTF', fakeHost({ paths: ALL_PATHS.filter((p) => !p.includes('btf')) }).host, /BTF/],
  ])('says %s when the host lacks it', async (code, host, message) => {
    await expect(checkBpfPreflight({}, host)).rejects.toMatchObject({
      name: 'BpfSensorUnavailableError',
      code: 'source_unavailable',
      source: 'bpf',
      reason: code,
      message: expect.stringMatching(message),
    });
  });

  it('looks for the configured bpftrace, garbage names included', async () => {
    const seen: string[] = [];
    const { host } = fakeHost({ findExecutable: async (name) => (seen.push(name), undefined) });
    await expect(checkBpfPreflight({ bpftrace: '\u0000../../bin/sh' }, host)).rejects.toMatchObject({
      reason: 'NO_BPFTRACE',
    });
    expect(seen).toEqual(['\u0000../../bin/sh']);
  });
});
