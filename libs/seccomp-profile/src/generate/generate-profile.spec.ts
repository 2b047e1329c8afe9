import { describe, expect, it } from 'vitest';
import { seccompEvent } from '../../../../test/fixtures/ingest/security-events.js';
import { evaluate } from '../evaluate/evaluate-profile.js';
import { validateProfile } from '../parse/validate-profile.js';
import { generateProfile } from './generate-profile.js';

describe('generateProfile', () => {
  it('allows exactly what was seen, with the compat arches of what was seen', () => {
    const events = [
      { syscall: { arch: 'x86_64', name: 'write' } },
      { syscall: { arch: 'x86_64', nr: 0 } }, // read
      { syscall: { arch: 'x86_64', name: 'write' } },
      { syscall: { arch: 'i386', nr: 20 } }, // getpid
      { syscall: { arch: 'aarch64', name: 'openat' } },
    ];
    const { profile, skipped } = generateProfile(events);
    expect(skipped).toBe(0);
    expect(profile).toEqual({
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 1,
      architectures: [
        'SCMP_ARCH_AARCH64',
        'SCMP_ARCH_X86',
        'SCMP_ARCH_X86_64',
        'SCMP_ARCH_ARM',
        'SCMP_ARCH_X32',
      ],
      syscalls: [{ names: ['getpid', 'openat', 'read', 'write'], action: 'SCMP_ACT_ALLOW' }],
    });
    expect(validateProfile(profile).ok).toBe(true);
    expect(evaluate(profile, { arch: 'x86_64', syscall: 'read' }).action).toBe('SCMP_ACT_ALLOW');
    expect(evaluate(profile, { arch: 'x86_64', syscall: 'ptrace' })).toMatchObject({
      action: 'SCMP_ACT_ERRNO',
      errnoRet: 1,
    });
  });

  it('takes SecurityEvents as they are', () => {
    const { profile } = generateProfile([seccompEvent(1), seccompEvent(2)], { includeCompatArches: false });
    expect(profile.architectures).toEqual(['SCMP_ARCH_X86_64']);
    expect(profile.syscalls).toEqual([{ names: ['ptrace'], action: 'SCMP_ACT_ALLOW' }]);
  });

  it('honours the options', () => {
    const events = [
      { syscall: { arch: 'x86_64', name: 'write' } },
      { syscall: { arch: 'aarch64', name: 'openat' } },
    ];
    const { profile, skipped } = generateProfile(events, {
      defaultAction: 'SCMP_ACT_KILL_PROCESS',
      arches: ['SCMP_ARCH_AARCH64'],
      flags: ['SECCOMP_FILTER_FLAG_LOG'],
      alwaysAllow: ['exit_group'],
    });
    expect(skipped).toBe(1);
    expect(profile).toEqual({
      defaultAction: 'SCMP_ACT_KILL_PROCESS',
      architectures: ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'],
      flags: ['SECCOMP_FILTER_FLAG_LOG'],
      syscalls: [{ names: ['exit_group', 'openat'], action: 'SCMP_ACT_ALLOW' }],
    });
    expect(generateProfile([], { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38 }).profile).toEqual({
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 38,
      syscalls: [],
    });
  });

  it('skips events it cannot place, garbage included', () => {
    const garbage = [
      {},
      { syscall: {} },
      { syscall: { arch: 'z80', name: 'read' } },
      { syscall: { arch: 'x86_64', nr: 99999 } },
      { syscall: { arch: 'x86_64', nr: 1.5 } },
      { syscall: { arch: 'x86_64', name: '' } },
      null,
      { syscall: { arch: 42, name: ['read'] } },
    ] as unknown as Parameters<typeof generateProfile>[0];
    const { profile, skipped } = generateProfile(garbage);
    expect(skipped).toBe(8);
    expect(profile.syscalls).toEqual([]);
  });
});
