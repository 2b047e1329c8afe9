import { describe, expect, it } from 'vitest';
import { DOCKER_STYLE, SPO_YAML } from '../../../../test/fixtures/profiles/sample-profiles.js';
import { ProfileError } from './profile-error.js';
import { parseProfile, validateProfile } from './validate-profile.js';

function errorsOf(input: unknown) {
  const result = validateProfile(input);
  if (result.ok) throw new Error('expected the profile to be rejected');
  return result.errors;
}

describe('validateProfile', () => {
  it('accepts a Docker-style profile from text and from an object', () => {
    const fromText = validateProfile(JSON.stringify(DOCKER_STYLE));
    expect(fromText).toMatchObject({ ok: true, format: 'oci', profile: DOCKER_STYLE });
    expect(validateProfile(DOCKER_STYLE)).toMatchObject({ ok: true, profile: DOCKER_STYLE });
  });

  it("reads Docker's old one-name-per-rule format", () => {
    const profile = parseProfile(
      '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"name":"read","action":"SCMP_ACT_ALLOW","args":[]}]}',
    );
    expect(profile.syscalls).toEqual([{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [] }]);
  });

  it('reads a SeccompProfile resource, with its name, and points errors into spec', () => {
    const result = validateProfile(SPO_YAML);
    expect(result).toMatchObject({ ok: true, format: 'spo', name: 'web-frontend' });
    if (!result.ok) return;
    expect(result.profile.syscalls?.[1]).toEqual({
      names: ['personality'],
      action: 'SCMP_ACT_ERRNO',
      errnoRet: 1,
      args: [{ index: 0, value: 4294967295, op: 'SCMP_CMP_NE' }],
    });
    expect(errorsOf(SPO_YAML.replace('SCMP_CMP_NE', 'SCMP_CMP_APPROX'))).toEqual([
      {
        pointer: '/spec/syscalls/1/args/0/op',
        message: expect.stringContaining('unknown operator "SCMP_CMP_APPROX"'),
      },
    ]);
    expect(errorsOf(SPO_YAML.replace('kind: SeccompProfile', 'kind: AppArmorProfile'))).toEqual([
      { pointer: '/kind', message: 'must be SeccompProfile' },
    ]);
  });

  it('reports every error with its pointer, not only the first', () => {
    const errors = errorsOf({
      defaultAction: 'SCMP_ACT_DENY',
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_Z80'],
      syscalls: [
        { names: ['getpid', 'no_such_call'], action: 'SCMP_ACT_ALLOW' },
        { names: ['dup'], action: 'SCMP_ACT_MAYBE' },
        { names: ['dup'], action: 'SCMP_ACT_ALLOW', args: [{ index: 6, value: 1, op: 'SCMP_CMP_EQ' }] },
        { names: ['umask'], action: 'SCMP_ACT_ALLOW', errnoRet: 1 },
      ],
    });
    expect(errors).toEqual([
      { pointer: '/defaultAction', message: expect.stringContaining('unknown action "SCMP_ACT_DENY"') },
      { pointer: '/syscalls/1/action', message: expect.stringContaining('unknown action "SCMP_ACT_MAYBE"') },
      { pointer: '/syscalls/2/args/0/index', message: 'index 6 is outside 0..5' },
    ]);
    // With the default action fixed, the semantic checks run too.
    const more = errorsOf({
      defaultAction: 'SCMP_ACT_ALLOW',
      defaultErrnoRet: 1,
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_Z80'],
      syscalls: [
        { names: ['getpid', 'no_such_call'], action: 'SCMP_ACT_ALLOW' },
        { names: ['umask'], action: 'SCMP_ACT_ALLOW', errnoRet: 1 },
      ],
    });
    expect(more.map((e) => e.pointer)).toEqual([
      '/architectures/1',
      '/defaultErrnoRet',
      '/syscalls/0/names/1',
      '/syscalls/1/errnoRet',
    ]);
    expect(more[2].message).toBe('syscall no_such_call is unknown on every listed architecture (x86_64)');
  });

  it('accepts a name known on one listed arch only', () => {
    const profile = {
      defaultAction: 'SCMP_ACT_ERRNO',
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_AARCH64'],
      syscalls: [{ names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW' }],
    };
    const result = validateProfile(profile);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.warnings.map((w) => w.code)).toContain('unknown-syscall-on-arch');
  });

  it('accepts libseccomp arches that have no table here, without checking names on them', () => {
    const profile = {
      defaultAction: 'SCMP_ACT_ERRNO',
      archMap: [
        { architecture: 'SCMP_ARCH_S390X', subArchitectures: ['SCMP_ARCH_S390'] },
        { architecture: 'SCMP_ARCH_MIPS64N32', subArchitectures: ['SCMP_ARCH_MIPSEL64N32'] },
      ],
      syscalls: [{ names: ['s390_runtime_instr', 'not_on_s390x'], action: 'SCMP_ACT_ALLOW' }],
    };
    expect(validateProfile(profile).ok).toBe(true);
    expect(
      errorsOf({ ...profile, archMap: [{ architecture: 'SCMP_ARCH_VAX', subArchitectures: [] }] }),
    ).toEqual([{ pointer: '/archMap/0/architecture', message: 'unknown architecture SCMP_ARCH_VAX' }]);
  });

  it('rejects duplicate and conflicting rules', () => {
    const errors = errorsOf({
      defaultAction: 'SCMP_ACT_ALLOW',
      listenerPath: '/run/notify.sock',
      syscalls: [
        {
          names: ['personality'],
          action: 'SCMP_ACT_ERRNO',
          args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }],
        },
        {
          names: ['getpid', 'personality'],
          action: 'SCMP_ACT_ERRNO',
          args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }],
        },
        {
          names: ['personality'],
          action: 'SCMP_ACT_NOTIFY',
          args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }],
        },
        {
          names: ['personality'],
          action: 'SCMP_ACT_NOTIFY',
          args: [{ index: 0, value: 2, op: 'SCMP_CMP_EQ' }],
        },
      ],
    });
    expect(errors).toEqual([
      {
        pointer: '/syscalls/1/names/1',
        message: 'duplicate rule for personality: same conditions as /syscalls/0/names/0',
      },
      {
        pointer: '/syscalls/2/names/0',
        message:
          'conflicting rule for personality: SCMP_ACT_NOTIFY with the same conditions as SCMP_ACT_ERRNO at /syscalls/0/names/0',
      },
    ]);
  });

  it('requires a listenerPath for SCMP_ACT_NOTIFY', () => {
    expect(errorsOf({ defaultAction: 'SCMP_ACT_NOTIFY' })).toEqual([
      { pointer: '/listenerPath', message: expect.stringContaining('needs a listenerPath') },
    ]);
  });
});

describe('validateProfile on garbage', () => {
  it.each([
    ['not JSON', '{"defaultAction": SCMP_ACT_ALLOW}', 'not valid JSON'],
    ['truncated JSON', '{"defaultAction":', 'not valid JSON'],
    ['a JSON array', '[1,2]', 'a profile must be an object'],
    ['a number', 42, 'a profile must be an object'],
    ['null', null, 'a profile must be an object'],
    ['binary', '\u0000\u0001\u00ff\ufffd', ''],
    ['two YAML documents', 'a: 1\n---\nb: 2\n', 'expected one YAML document'],
    ['bad YAML', 'defaultAction: [unclosed\n', 'not valid YAML'],
  ])('rejects %s', (_label, input, message) => {
    const errors = errorsOf(input);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0].message).toContain(message);
  });

  it('reports wrong types in every field', () => {
    const errors = errorsOf({
      defaultAction: 7,
      defaultErrnoRet: 'EPERM',
      architectures: 'SCMP_ARCH_X86_64',
      archMap: [{ architecture: 3, subArchitectures: 'x' }],
      flags: ['SECCOMP_FILTER_FLAG_YOLO'],
      listenerPath: {},
      extra: true,
      syscalls: [
        'getpid',
        { names: 'getpid', action: 'SCMP_ACT_ALLOW' },
        {
          names: [1, null],
          action: 'SCMP_ACT_ALLOW',
          comment: 5,
          includes: { caps: 'CAP_X', minKernel: 'new' },
        },
        {
          names: ['dup'],
          action: 'SCMP_ACT_ERRNO',
          errnoRet: -1,
          args: [{ index: '0', value: -5, valueTwo: 1.5, op: 1 }, 7],
        },
      ],
    });
    expect(errors.map((e) => e.pointer)).toEqual([
      '/extra',
      '/defaultAction',
      '/defaultErrnoRet',
      '/architectures',
      '/archMap/0/architecture',
      '/archMap/0/subArchitectures',
      '/flags/0',
      '/listenerPath',
      '/syscalls/0',
      '/syscalls/1/names',
      '/syscalls/1/names',
      '/syscalls/2/names/0',
      '/syscalls/2/names/1',
      '/syscalls/2/names',
      '/syscalls/2/comment',
      '/syscalls/2/includes/caps',
      '/syscalls/2/includes/minKernel',
      '/syscalls/3/errnoRet',
      '/syscalls/3/args/0/index',
      '/syscalls/3/args/0/value',
      '/syscalls/3/args/0/valueTwo',
      '/syscalls/3/args/0/op',
      '/syscalls/3/args/1',
    ]);
  });

  it('rejects a 10 MB profile with a size error before parsing it', () => {
    const huge = `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[${'{"names":["getpid"],"action":"SCMP_ACT_ALLOW"},'.repeat(220_000)}]}`;
    expect(huge.length).toBeGreaterThan(10_000_000);
    expect(() => parseProfile(huge)).toThrow(expect.objectContaining({ code: 'PROFILE_TOO_LARGE' }));
    expect(errorsOf(huge)[0].message).toMatch(/^profile is \d+ bytes, more than the limit of 1048576$/);
  });

  it('rejects deep nesting in text, YAML and objects (including a cycle)', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(() => parseProfile(deep)).toThrow(expect.objectContaining({ code: 'PROFILE_TOO_DEEP' }));
    expect(() => parseProfile(`a: ${'['.repeat(5000)}`, { format: 'spo' })).toThrow(ProfileError);
    let nested: unknown = {};
    for (let i = 0; i < 100; i++) nested = { spec: nested };
    expect(errorsOf(nested)[0].message).toBe('profile nests deeper than 32 levels');
    const cyclic: Record<string, unknown> = { defaultAction: 'SCMP_ACT_ALLOW' };
    cyclic.syscalls = [cyclic];
    expect(errorsOf(cyclic)[0].message).toBe('profile nests deeper than 32 levels');
  });

  it('refuses YAML alias bombs', () => {
    const bomb = [
      'apiVersion: security-profiles-operator.x-k8s.io/v1',
      'kind: SeccompProfile',
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
    ].join('\n');
    expect(() => parseProfile(bomb)).toThrow(expect.objectContaining({ code: 'PROFILE_SYNTAX' }));
  });

  it('reads bytes as UTF-8 and caps the error list', () => {
    expect(validateProfile(Buffer.from('{"defaultAction":"SCMP_ACT_LOG"}'))).toMatchObject({ ok: true });
    expect(errorsOf(new Uint8Array([0xff, 0xfe, 0x00]))[0].message).toBe('a profile must be an object');
    const keys = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]));
    const errors = errorsOf({ defaultAction: 'SCMP_ACT_LOG', ...keys });
    expect(errors).toHaveLength(201);
    expect(errors[200]).toEqual({ pointer: '', message: 'and 4800 more errors' });
  });

  it('throws a ProfileError carrying every issue from parseProfile', () => {
    try {
      parseProfile({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['nope'], action: 'X' }] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ProfileError);
      expect((error as ProfileError).code).toBe('PROFILE_INVALID');
      expect((error as ProfileError).issues).toHaveLength(1);
    }
  });
});
