import { describe, expect, it } from 'vitest';
import { ARG_RULES, DOCKER_STYLE } from '../../../../test/fixtures/profiles/sample-profiles.js';
import type { SeccompArg, SeccompProfile } from '../model/seccomp-profile.js';
import { argsContradict } from './arg-contradiction.js';
import { lintProfile } from './lint-profile.js';

const codes = (profile: SeccompProfile) => lintProfile(profile).map((w) => `${w.code} ${w.pointer}`);

describe('lintProfile', () => {
  it('warns that ERRNO, TRAP, TRACE and NOTIFY without SECCOMP_FILTER_FLAG_LOG leave no audit record', () => {
    const profile: SeccompProfile = {
      defaultAction: 'SCMP_ACT_ERRNO',
      syscalls: [
        { names: ['getpid'], action: 'SCMP_ACT_ALLOW' },
        { names: ['getsid'], action: 'SCMP_ACT_TRAP' },
        { names: ['getpgid'], action: 'SCMP_ACT_KILL_PROCESS' },
      ],
    };
    expect(codes(profile)).toEqual(['unaudited-block /defaultAction', 'unaudited-block /syscalls/1/action']);
    expect(codes({ ...profile, flags: ['SECCOMP_FILTER_FLAG_LOG'] })).toEqual([]);
  });

  it('warns about a 64-bit arch listed without its compat ABIs', () => {
    const profile: SeccompProfile = {
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_AARCH64'],
    };
    const warnings = lintProfile(profile);
    expect(warnings.map((w) => [w.pointer, w.message.split(':')[0]])).toEqual([
      ['/architectures/0', 'SCMP_ARCH_X86_64 without its compat ABI SCMP_ARCH_X32'],
      ['/architectures/2', 'SCMP_ARCH_AARCH64 without its compat ABI SCMP_ARCH_ARM'],
    ]);
    // archMap groups cover their sub-architectures.
    expect(lintProfile(DOCKER_STYLE).filter((w) => w.code === 'missing-compat-arch')).toEqual([]);
  });

  it('says SCMP_ACT_KILL kills only the thread', () => {
    const profile: SeccompProfile = {
      defaultAction: 'SCMP_ACT_KILL',
      syscalls: [{ names: ['getpid'], action: 'SCMP_ACT_ALLOW' }],
    };
    expect(codes(profile)).toEqual(['ambiguous-kill /defaultAction']);
    expect(lintProfile(profile)[0].message).toContain('KILL_PROCESS');
  });

  it('finds rules that never decide', () => {
    const eq = (index: number, value: number): SeccompArg => ({ index, value, op: 'SCMP_CMP_EQ' });
    const profile: SeccompProfile = {
      defaultAction: 'SCMP_ACT_ALLOW',
      flags: ['SECCOMP_FILTER_FLAG_LOG'],
      syscalls: [
        { names: ['dup'], action: 'SCMP_ACT_ERRNO', args: [eq(0, 1)] },
        { names: ['dup'], action: 'SCMP_ACT_LOG', args: [eq(0, 1), eq(1, 2)] },
        { names: ['getpgid'], action: 'SCMP_ACT_LOG', args: [eq(0, 1)] },
        { names: ['getpgid'], action: 'SCMP_ACT_ERRNO' },
        { names: ['umask'], action: 'SCMP_ACT_ERRNO', args: [eq(0, 1), eq(0, 2)] },
        { names: ['fcntl'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 0, op: 'SCMP_CMP_LT' }] },
        { names: ['getsid'], action: 'SCMP_ACT_ERRNO', args: [eq(0, 1)] },
        { names: ['getsid'], action: 'SCMP_ACT_TRAP', args: [eq(1, 1)] },
        { names: ['getsid'], action: 'SCMP_ACT_KILL_PROCESS', args: [eq(0, 2)] },
      ],
    };
    expect(codes(profile)).toEqual([
      'unreachable-rule /syscalls/1/names/0',
      'unreachable-rule /syscalls/2/names/0',
      'contradictory-args /syscalls/4/args',
      'contradictory-args /syscalls/5/args',
      'overlapping-rules /syscalls/7/args',
      // getsid(2, 1) matches both; getsid arg0 == 1 and == 2 (rules 6 and 8) never overlap.
      'overlapping-rules /syscalls/8/args',
    ]);
    expect(lintProfile(ARG_RULES)).toEqual([]);
  });

  it('notes names that exist on some listed arches only, once per rule', () => {
    const profile: SeccompProfile = {
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'],
      syscalls: [{ names: ['arch_prctl', 'open', 'getpid'], action: 'SCMP_ACT_LOG' }],
    };
    const warnings = lintProfile(profile).filter((w) => w.code === 'unknown-syscall-on-arch');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].message).toContain('arch_prctl (not on aarch64, arm)');
    expect(warnings[0].message).toContain('open (not on aarch64)');
    expect(warnings[0].message).not.toContain('getpid');
    // A rule Docker installs on amd64 only is not "missing" on arm.
    const scoped: SeccompProfile = {
      ...profile,
      syscalls: [{ names: ['arch_prctl'], action: 'SCMP_ACT_LOG', includes: { arches: ['amd64'] } }],
    };
    expect(lintProfile(scoped).filter((w) => w.code === 'unknown-syscall-on-arch')).toEqual([]);
  });
});

describe('argsContradict', () => {
  const arg = (op: SeccompArg['op'], value: number, valueTwo?: number): SeccompArg => ({
    index: 0,
    op,
    value,
    valueTwo,
  });
  it.each<[string, SeccompArg[], boolean]>([
    ['EQ 1 and EQ 2', [arg('SCMP_CMP_EQ', 1), arg('SCMP_CMP_EQ', 2)], true],
    ['EQ 1 twice', [arg('SCMP_CMP_EQ', 1), arg('SCMP_CMP_EQ', 1)], false],
    ['GT 5 and LT 6', [arg('SCMP_CMP_GT', 5), arg('SCMP_CMP_LT', 6)], true],
    ['GE 5 and LE 5', [arg('SCMP_CMP_GE', 5), arg('SCMP_CMP_LE', 5)], false],
    ['GE 5, LE 5, NE 5', [arg('SCMP_CMP_GE', 5), arg('SCMP_CMP_LE', 5), arg('SCMP_CMP_NE', 5)], true],
    ['EQ 3 and NE 3', [arg('SCMP_CMP_EQ', 3), arg('SCMP_CMP_NE', 3)], true],
    ['EQ 8 outside GT 10', [arg('SCMP_CMP_EQ', 8), arg('SCMP_CMP_GT', 10)], true],
    ['datum outside its mask', [arg('SCMP_CMP_MASKED_EQ', 0xf0, 0x01)], true],
    ['EQ against a mask', [arg('SCMP_CMP_EQ', 0x12), arg('SCMP_CMP_MASKED_EQ', 0xf0, 0x20)], true],
    [
      'two masks that agree',
      [arg('SCMP_CMP_MASKED_EQ', 0xf0, 0x10), arg('SCMP_CMP_MASKED_EQ', 0x30, 0x10)],
      false,
    ],
    [
      'two masks that disagree',
      [arg('SCMP_CMP_MASKED_EQ', 0xf0, 0x10), arg('SCMP_CMP_MASKED_EQ', 0x30, 0x20)],
      true,
    ],
  ])('%s', (_label, args, expected) => {
    expect(argsContradict(args)).toBe(expected);
  });
});
