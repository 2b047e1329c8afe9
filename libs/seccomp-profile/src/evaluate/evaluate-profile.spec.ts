import { describe, expect, it } from 'vitest';
import { ARG_RULES, DOCKER_STYLE } from '../../../../test/fixtures/profiles/sample-profiles.js';
import type { SeccompProfile } from '../model/seccomp-profile.js';
import { evaluate } from './evaluate-profile.js';
import { EvaluationError } from './evaluation-error.js';

describe('evaluate', () => {
  it('applies the default action, with EPERM when no errno is given', () => {
    expect(evaluate({ defaultAction: 'SCMP_ACT_ERRNO' }, { arch: 'x86_64', syscall: 'mount' })).toEqual({
      action: 'SCMP_ACT_ERRNO',
      errnoRet: 1,
      reason: 'default',
    });
    expect(evaluate(DOCKER_STYLE, { arch: 'x86_64', syscall: 'mount' }).errnoRet).toBe(1);
    const enosys: SeccompProfile = { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38 };
    expect(evaluate(enosys, { arch: 'x86_64', syscall: 'mount' }).errnoRet).toBe(38);
  });

  it('finds the rule by name or by number in the arch table', () => {
    expect(evaluate(DOCKER_STYLE, { arch: 'x86_64', syscall: 'getppid' })).toMatchObject({
      action: 'SCMP_ACT_ALLOW',
      ruleIndex: 0,
    });
    expect(evaluate(DOCKER_STYLE, { arch: 'x86_64', syscall: 110 }).action).toBe('SCMP_ACT_ALLOW');
    // 110 is not getppid on i386 (it is iopl there): the default applies.
    expect(evaluate(DOCKER_STYLE, { arch: 'i386', syscall: 110 }).action).toBe('SCMP_ACT_ERRNO');
    expect(evaluate(DOCKER_STYLE, { arch: 'i386', syscall: 64 }).action).toBe('SCMP_ACT_ALLOW');
  });

  it('gives an unknown syscall number the default action', () => {
    expect(evaluate(DOCKER_STYLE, { arch: 'x86_64', syscall: 99999 })).toMatchObject({
      action: 'SCMP_ACT_ERRNO',
      reason: 'unknown-syscall',
    });
  });

  it('kills the thread on an arch the profile does not cover, unless told otherwise', () => {
    const x86only: SeccompProfile = { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64'] };
    expect(evaluate(x86only, { arch: 'aarch64', syscall: 'getpid' })).toEqual({
      action: 'SCMP_ACT_KILL_THREAD',
      reason: 'bad-arch',
    });
    expect(
      evaluate(x86only, { arch: 'SCMP_ARCH_X86', syscall: 'getpid', badArchAction: 'SCMP_ACT_ERRNO' }).action,
    ).toBe('SCMP_ACT_ERRNO');
    expect(evaluate(x86only, { arch: 'nonsense', syscall: 'getpid' }).reason).toBe('bad-arch');
    // archMap covers the sub-architectures.
    expect(evaluate(DOCKER_STYLE, { arch: 'arm', syscall: 'getpid' }).action).toBe('SCMP_ACT_ALLOW');
    // No architectures at all: the runtime's native arch, whichever is asked.
    expect(evaluate({ defaultAction: 'SCMP_ACT_LOG' }, { arch: 'aarch64', syscall: 'getpid' }).action).toBe(
      'SCMP_ACT_LOG',
    );
  });

  it('compares arguments, AND-ing several conditions of one rule', () => {
    const at = (syscall: string, args: number[]) => evaluate(ARG_RULES, { arch: 'x86_64', syscall, args });
    expect(at('personality', [7])).toMatchObject({ action: 'SCMP_ACT_ERRNO', errnoRet: 22, ruleIndex: 0 });
    expect(at('personality', [6])).toMatchObject({ action: 'SCMP_ACT_ALLOW', reason: 'default' });
    expect(at('personality', [8]).action).toBe('SCMP_ACT_KILL_PROCESS');
    expect(at('fcntl', [101, 1])).toMatchObject({ action: 'SCMP_ACT_ERRNO', errnoRet: 9 });
    expect(at('fcntl', [101, 2]).action).toBe('SCMP_ACT_ALLOW');
    expect(at('fcntl', [100, 1]).action).toBe('SCMP_ACT_ALLOW');
    // Missing arguments read as zero.
    expect(at('fcntl', [101]).action).toBe('SCMP_ACT_ALLOW');
  });

  it('applies MASKED_EQ as (arg & value) == valueTwo', () => {
    const umask = (mode: number) => evaluate(ARG_RULES, { arch: 'x86_64', syscall: 'umask', args: [mode] });
    expect(umask(0o777)).toMatchObject({ action: 'SCMP_ACT_ERRNO', errnoRet: 13 });
    expect(umask(0o1700)).toMatchObject({ action: 'SCMP_ACT_ERRNO', errnoRet: 13 });
    expect(umask(0o600).action).toBe('SCMP_ACT_ALLOW');
    expect(umask(0o077).action).toBe('SCMP_ACT_ALLOW');
  });

  it('picks the most restrictive of several matching rules, whatever their order', () => {
    const profile: SeccompProfile = {
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [
        { names: ['getppid'], action: 'SCMP_ACT_LOG' },
        {
          names: ['getppid'],
          action: 'SCMP_ACT_ERRNO',
          errnoRet: 5,
          args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }],
        },
        { names: ['getppid'], action: 'SCMP_ACT_TRAP', args: [{ index: 1, value: 1, op: 'SCMP_CMP_EQ' }] },
        { names: ['getppid'], action: 'SCMP_ACT_KILL', args: [{ index: 2, value: 1, op: 'SCMP_CMP_EQ' }] },
      ],
    };
    const at = (args: number[]) =>
      evaluate(profile, { arch: 'x86_64', syscall: 'getppid', args, precedence: 'kernel' });
    expect(at([0, 0, 0]).action).toBe('SCMP_ACT_LOG');
    expect(at([1, 0, 0])).toMatchObject({ action: 'SCMP_ACT_ERRNO', errnoRet: 5, ruleIndex: 1 });
    expect(at([1, 1, 0]).action).toBe('SCMP_ACT_TRAP');
    expect(at([1, 1, 1])).toMatchObject({ action: 'SCMP_ACT_KILL', ruleIndex: 3 });
  });

  it('lets an unconditional rule override conditional ones, as libseccomp builds the filter', () => {
    const profile: SeccompProfile = {
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [
        {
          names: ['getpgid'],
          action: 'SCMP_ACT_KILL_PROCESS',
          args: [{ index: 0, value: 7, op: 'SCMP_CMP_EQ' }],
        },
        { names: ['getpgid'], action: 'SCMP_ACT_ERRNO', errnoRet: 79 },
        {
          names: ['getsid'],
          action: 'SCMP_ACT_ERRNO',
          errnoRet: 80,
          args: [{ index: 0, value: 3, op: 'SCMP_CMP_GE' }],
        },
        { names: ['getsid'], action: 'SCMP_ACT_TRAP', args: [{ index: 1, value: 5, op: 'SCMP_CMP_EQ' }] },
      ],
    };
    const at = (syscall: string, args: number[], precedence?: 'kernel') =>
      evaluate(profile, { arch: 'x86_64', syscall, args, precedence });
    expect(at('getpgid', [7])).toMatchObject({ action: 'SCMP_ACT_ERRNO', errnoRet: 79, ruleIndex: 1 });
    expect(at('getpgid', [7], 'kernel')).toMatchObject({ action: 'SCMP_ACT_KILL_PROCESS', ruleIndex: 0 });
    expect(at('getsid', [4, 5]).action).toBe('SCMP_ACT_TRAP');
    expect(at('getsid', [4, 0])).toMatchObject({ action: 'SCMP_ACT_ERRNO', errnoRet: 80 });
    expect(evaluate(profile, { arch: 'x86_64', syscall: 'getpgid' }).conditional).toBeUndefined();
  });

  it('compares 64-bit values exactly and wraps negative arguments', () => {
    const big: SeccompProfile = {
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [
        { names: ['dup'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 2 ** 63, op: 'SCMP_CMP_GE' }] },
      ],
    };
    expect(evaluate(big, { arch: 'x86_64', syscall: 'dup', args: [-1] }).action).toBe('SCMP_ACT_ERRNO');
    expect(evaluate(big, { arch: 'x86_64', syscall: 'dup', args: [2n ** 63n - 1n] }).action).toBe(
      'SCMP_ACT_ALLOW',
    );
    expect(evaluate(big, { arch: 'x86_64', syscall: 'dup', args: [2n ** 64n - 1n] }).action).toBe(
      'SCMP_ACT_ERRNO',
    );
    // On a 32-bit arch the filter sees 32 bits: -1 is 0xffffffff there, all ones on x86_64.
    const low32: SeccompProfile = {
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [
        {
          names: ['dup'],
          action: 'SCMP_ACT_ERRNO',
          args: [{ index: 0, value: 0xffffffff, op: 'SCMP_CMP_EQ' }],
        },
      ],
    };
    expect(evaluate(low32, { arch: 'i386', syscall: 'dup', args: [-1] }).action).toBe('SCMP_ACT_ERRNO');
    expect(evaluate(low32, { arch: 'x86_64', syscall: 'dup', args: [-1] }).action).toBe('SCMP_ACT_ALLOW');
  });

  it('says when the answer depends on arguments that were not given', () => {
    expect(evaluate(ARG_RULES, { arch: 'x86_64', syscall: 'personality' })).toEqual({
      action: 'SCMP_ACT_ALLOW',
      reason: 'default',
      conditional: true,
    });
  });

  it("follows Docker's includes and excludes", () => {
    const ev = (syscall: string, extra: { caps?: string[]; kernel?: string; arch?: string } = {}) =>
      evaluate(DOCKER_STYLE, {
        arch: extra.arch ?? 'x86_64',
        syscall,
        caps: extra.caps,
        kernel: extra.kernel,
      }).action;
    expect(ev('syslog')).toBe('SCMP_ACT_ERRNO');
    expect(ev('syslog', { caps: ['CAP_SYSLOG'] })).toBe('SCMP_ACT_ALLOW');
    expect(ev('ptrace', { kernel: '4.4' })).toBe('SCMP_ACT_ERRNO');
    expect(ev('ptrace', { kernel: '5.15.0-91-generic' })).toBe('SCMP_ACT_ALLOW');
    expect(ev('ptrace')).toBe('SCMP_ACT_ALLOW');
    expect(ev('arch_prctl')).toBe('SCMP_ACT_ALLOW');
    expect(ev('arch_prctl', { arch: 'aarch64' })).toBe('SCMP_ACT_ERRNO');
    expect(ev('umask')).toBe('SCMP_ACT_ALLOW');
    expect(ev('umask', { caps: ['CAP_SYS_ADMIN'] })).toBe('SCMP_ACT_ERRNO');
  });

  it.each([
    ['no input', undefined],
    ['a number arch', { arch: 62, syscall: 'read' }],
    ['a fractional syscall number', { arch: 'x86_64', syscall: 1.5 }],
    ['a syscall object', { arch: 'x86_64', syscall: { name: 'read' } }],
    ['args not an array', { arch: 'x86_64', syscall: 'read', args: '1,2' }],
    ['seven args', { arch: 'x86_64', syscall: 'read', args: [1, 2, 3, 4, 5, 6, 7] }],
    ['a NaN arg', { arch: 'x86_64', syscall: 'read', args: [Number.NaN] }],
    ['a string arg', { arch: 'x86_64', syscall: 'read', args: ['0x10'] }],
  ])('rejects garbage input: %s', (_label, input) => {
    expect(() => evaluate(DOCKER_STYLE, input as never)).toThrow(EvaluationError);
  });
});
