import { describe, expect, it } from 'vitest';
import { evaluate } from '../evaluate/evaluate-profile.js';
import { validateProfile } from '../parse/validate-profile.js';
import { BLOCKED_FAMILIES } from './blocked-families.js';
import { defaultTemplate } from './default-template.js';

describe('defaultTemplate', () => {
  const template = defaultTemplate();

  it('is a valid profile with nothing to lint but arch-specific names', () => {
    const result = validateProfile(template);
    expect(result.ok).toBe(true);
    if (result.ok)
      expect(new Set(result.warnings.map((w) => w.code))).toEqual(new Set(['unknown-syscall-on-arch']));
  });

  it.each(['x86_64', 'i386', 'x32', 'aarch64', 'arm'])(
    'blocks the dangerous families on %s with EPERM',
    (arch) => {
      for (const name of [
        'mount',
        'bpf',
        'unshare',
        'setns',
        'ptrace',
        'init_module',
        'kexec_load',
        'keyctl',
        'reboot',
      ]) {
        expect(evaluate(template, { arch, syscall: name }), `${name} on ${arch}`).toMatchObject({
          action: 'SCMP_ACT_ERRNO',
          errnoRet: 1,
          reason: 'rule',
        });
      }
      for (const name of ['read', 'write', 'openat', 'clone', 'execve', 'futex', 'exit_group']) {
        expect(evaluate(template, { arch, syscall: name }).action, `${name} on ${arch}`).toBe(
          'SCMP_ACT_ALLOW',
        );
      }
    },
  );

  it('gives calls newer than the tables ENOSYS', () => {
    expect(evaluate(template, { arch: 'x86_64', syscall: 'a_future_syscall' })).toMatchObject({
      action: 'SCMP_ACT_ERRNO',
      errnoRet: 38,
      reason: 'default',
    });
  });

  it('says why each blocked family is blocked', () => {
    const blocked = template.syscalls!.slice(1);
    expect(blocked.length).toBeGreaterThanOrEqual(15);
    for (const rule of blocked) expect(rule.comment).toMatch(/^[a-z-]+: .{10,}/);
    expect(BLOCKED_FAMILIES.find((f) => f.family === 'mounts')?.names).toContain('pivot_root');
  });
});
