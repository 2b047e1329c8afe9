import { describe, expect, it } from 'vitest';
import { ARG_RULES, DOCKER_STYLE } from '../../../../test/fixtures/profiles/sample-profiles.js';
import type { SeccompProfile } from '../model/seccomp-profile.js';
import { diffProfiles } from './diff-profiles.js';
import { toLogMode } from './log-mode.js';
import { mergeProfiles } from './merge-profiles.js';

const base: SeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_AARCH64'],
  syscalls: [
    { names: ['read', 'write', 'arch_prctl'], action: 'SCMP_ACT_ALLOW' },
    { names: ['ptrace'], action: 'SCMP_ACT_KILL_PROCESS' },
  ],
};

describe('diffProfiles', () => {
  it('lists the syscalls whose action changed, per arch, sorted', () => {
    const next: SeccompProfile = {
      ...base,
      syscalls: [
        { names: ['read', 'write', 'getpid'], action: 'SCMP_ACT_ALLOW' },
        { names: ['ptrace'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
      ],
    };
    expect(diffProfiles(base, next)).toEqual([
      {
        arch: 'aarch64',
        syscall: 'getpid',
        from: { action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
        to: { action: 'SCMP_ACT_ALLOW' },
      },
      {
        arch: 'aarch64',
        syscall: 'ptrace',
        from: { action: 'SCMP_ACT_KILL_PROCESS' },
        to: { action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
      },
      {
        arch: 'x86_64',
        syscall: 'arch_prctl',
        from: { action: 'SCMP_ACT_ALLOW' },
        to: { action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
      },
      {
        arch: 'x86_64',
        syscall: 'getpid',
        from: { action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
        to: { action: 'SCMP_ACT_ALLOW' },
      },
      {
        arch: 'x86_64',
        syscall: 'ptrace',
        from: { action: 'SCMP_ACT_KILL_PROCESS' },
        to: { action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
      },
    ]);
    expect(diffProfiles(base, next, { arches: ['SCMP_ARCH_X86_64'] }).map((e) => e.syscall)).toEqual([
      'arch_prctl',
      'getpid',
      'ptrace',
    ]);
  });

  it('is empty for equal profiles and sees changed argument rules', () => {
    expect(diffProfiles(ARG_RULES, structuredClone(ARG_RULES))).toEqual([]);
    const changed = structuredClone(ARG_RULES);
    changed.syscalls![0].args![0].value = 9;
    expect(diffProfiles(ARG_RULES, changed, { arches: ['x86_64'] })).toEqual([
      {
        arch: 'x86_64',
        syscall: 'personality',
        from: { action: 'SCMP_ACT_ALLOW', conditional: true },
        to: { action: 'SCMP_ACT_ALLOW', conditional: true },
      },
    ]);
  });

  it('sees a changed default and a changed errno on every syscall', () => {
    const enosys = { ...base, defaultErrnoRet: 38 };
    const diff = diffProfiles(base, enosys, { arches: ['x86_64'] });
    expect(diff.length).toBeGreaterThan(300);
    expect(diff.every((e) => e.from.errnoRet === 1 && e.to.errnoRet === 38)).toBe(true);
  });
});

describe('mergeProfiles', () => {
  it('unions the allowed syscalls with coverage counts', () => {
    const a: SeccompProfile = {
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 1,
      architectures: ['SCMP_ARCH_X86_64'],
      syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }],
    };
    const b: SeccompProfile = {
      defaultAction: 'SCMP_ACT_KILL_PROCESS',
      architectures: ['SCMP_ARCH_AARCH64'],
      flags: ['SECCOMP_FILTER_FLAG_LOG'],
      syscalls: [
        { names: ['write', 'getpid'], action: 'SCMP_ACT_ALLOW' },
        { names: ['ptrace'], action: 'SCMP_ACT_ERRNO' },
        {
          names: ['personality'],
          action: 'SCMP_ACT_ALLOW',
          args: [{ index: 0, value: 0xffffffff, op: 'SCMP_CMP_EQ' }],
        },
      ],
    };
    const merged = mergeProfiles([a, b, DOCKER_STYLE]);
    expect(merged.coverage).toEqual({
      arch_prctl: 1,
      exit_group: 1,
      getpid: 2,
      getppid: 1,
      personality: 2,
      ptrace: 1,
      read: 2,
      syslog: 1,
      umask: 1,
      write: 3,
    });
    expect(merged.profile).toEqual({
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 1,
      architectures: [
        'SCMP_ARCH_X86_64',
        'SCMP_ARCH_AARCH64',
        'SCMP_ARCH_X86',
        'SCMP_ARCH_X32',
        'SCMP_ARCH_ARM',
      ],
      flags: ['SECCOMP_FILTER_FLAG_LOG'],
      syscalls: [
        {
          names: ['exit_group', 'getpid', 'getppid', 'read', 'write'],
          action: 'SCMP_ACT_ALLOW',
        },
        // Conditional allows are kept whole; the two equal personality rules become one.
        ...DOCKER_STYLE.syscalls!.slice(1),
      ],
    });
    expect(() => mergeProfiles([])).toThrow(RangeError);
  });
});

describe('toLogMode', () => {
  it('turns every blocking action, the default included, into LOG', () => {
    const logged = toLogMode(ARG_RULES);
    expect(logged.defaultAction).toBe('SCMP_ACT_ALLOW');
    expect(logged.syscalls!.map((r) => [r.action, r.errnoRet])).toEqual([
      ['SCMP_ACT_LOG', undefined],
      ['SCMP_ACT_LOG', undefined],
      ['SCMP_ACT_LOG', undefined],
      ['SCMP_ACT_LOG', undefined],
    ]);
    expect(logged.syscalls![3].args).toEqual(ARG_RULES.syscalls![3].args);
    const docker = toLogMode(DOCKER_STYLE);
    expect(docker).toMatchObject({ defaultAction: 'SCMP_ACT_LOG' });
    expect(docker.defaultErrnoRet).toBeUndefined();
    expect(docker.syscalls).toEqual(DOCKER_STYLE.syscalls);
    // The input is left alone.
    expect(ARG_RULES.syscalls![0].action).toBe('SCMP_ACT_ERRNO');
  });
});
