import { readFile } from 'node:fs/promises';
import {
  evaluate,
  toLogMode,
  validateProfile,
  type Evaluation,
  type SeccompProfile,
} from '@sandtrap/seccomp-profile';
import { describe, expect, it } from 'vitest';
import { holdKernelLock } from './kernel-lock.js';
import { compileLoader, runLoader, type LoaderCall, type LoaderOutcome } from './profile-loader.js';

const NATIVE: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', ia32: 'i386' };
const arch = NATIVE[process.arch];

async function unavailable(): Promise<string | undefined> {
  if (process.platform !== 'linux') return 'not Linux';
  if (!arch) return `no syscall table for node arch ${process.arch}`;
  if (process.getuid?.() !== 0) return 'not root';
  try {
    await compileLoader();
  } catch (error) {
    return `cannot build the libseccomp loader (gcc, libseccomp-dev): ${String(error)}`;
  }
  const status = await readFile('/proc/self/status', 'utf8');
  if (!/^Seccomp:/m.test(status)) return 'kernel without seccomp';
  return undefined;
}

const skipReason = await unavailable();
if (skipReason) console.warn(`profile kernel suite skipped: ${skipReason}`);

/** Reduces an outcome to what the filter decided: killed by a signal, an errno, or "ran". */
function observed(outcome: LoaderOutcome): string {
  if (outcome.signal !== 0) return `signal ${outcome.signal}`;
  return outcome.ret === -1 ? `errno ${outcome.errno}` : 'ran';
}

function baseline(outcome: LoaderOutcome): string {
  return outcome.baseRet === -1 ? `errno ${outcome.baseErrno}` : 'ran';
}

/** What evaluate() predicts the loader will see for this call. */
function predicted(evaluation: Evaluation, outcome: LoaderOutcome): string {
  switch (evaluation.action) {
    case 'SCMP_ACT_KILL_PROCESS':
    case 'SCMP_ACT_KILL_THREAD':
    case 'SCMP_ACT_KILL':
    case 'SCMP_ACT_TRAP':
      return 'signal 31';
    case 'SCMP_ACT_ERRNO':
      return `errno ${evaluation.errnoRet}`;
    case 'SCMP_ACT_ALLOW':
    case 'SCMP_ACT_LOG':
      return baseline(outcome);
    case 'SCMP_ACT_TRACE':
    case 'SCMP_ACT_NOTIFY':
      return 'not compared';
  }
}

async function compare(profile: SeccompProfile, calls: LoaderCall[]) {
  const validation = validateProfile(profile);
  expect(validation.ok, JSON.stringify(validation)).toBe(true);
  const outcomes = await runLoader(profile, calls);
  expect(outcomes).toHaveLength(calls.length);
  return outcomes.map((outcome, i) => {
    const callArch = calls[i].compat ? 'i386' : arch!;
    const evaluation = evaluate(profile, { arch: callArch, syscall: calls[i].syscall, args: calls[i].args });
    return {
      call: `${calls[i].compat ? 'i386 ' : ''}${calls[i].syscall}(${calls[i].args.join(', ')})`,
      kernel: observed(outcome),
      evaluate: predicted(evaluation, outcome),
    };
  });
}

const mask = 0o700;

const ARGS_PROFILE: SeccompProfile = {
  defaultAction: 'SCMP_ACT_ALLOW',
  syscalls: [
    {
      names: ['personality'],
      action: 'SCMP_ACT_ERRNO',
      errnoRet: 77,
      args: [{ index: 0, value: 0xffffffff, op: 'SCMP_CMP_EQ' }],
    },
    {
      names: ['personality'],
      action: 'SCMP_ACT_KILL_PROCESS',
      args: [{ index: 0, value: 0x4242, op: 'SCMP_CMP_EQ' }],
    },
    // An unconditional ERRNO and a conditional KILL: libseccomp lets the unconditional rule decide.
    { names: ['getpgid'], action: 'SCMP_ACT_ERRNO', errnoRet: 79 },
    {
      names: ['getpgid'],
      action: 'SCMP_ACT_KILL_PROCESS',
      args: [{ index: 0, value: 7, op: 'SCMP_CMP_EQ' }],
    },
    // Both match getsid(4, 5): TRAP wins over ERRNO.
    {
      names: ['getsid'],
      action: 'SCMP_ACT_ERRNO',
      errnoRet: 80,
      args: [{ index: 0, value: 3, op: 'SCMP_CMP_GE' }],
    },
    { names: ['getsid'], action: 'SCMP_ACT_TRAP', args: [{ index: 1, value: 5, op: 'SCMP_CMP_EQ' }] },
    {
      names: ['umask'],
      action: 'SCMP_ACT_ERRNO',
      errnoRet: 13,
      args: [{ index: 0, value: mask, valueTwo: mask, op: 'SCMP_CMP_MASKED_EQ' }],
    },
    {
      names: ['fcntl'],
      action: 'SCMP_ACT_ERRNO',
      errnoRet: 78,
      args: [
        { index: 0, value: 100, op: 'SCMP_CMP_GT' },
        { index: 1, value: 1, op: 'SCMP_CMP_EQ' },
      ],
    },
    { names: ['dup'], action: 'SCMP_ACT_LOG', args: [{ index: 0, value: 10, op: 'SCMP_CMP_LE' }] },
    {
      names: ['uname'],
      action: 'SCMP_ACT_ERRNO',
      errnoRet: 82,
      args: [{ index: 0, value: 0x1000, op: 'SCMP_CMP_LT' }],
    },
    {
      names: ['getppid'],
      action: 'SCMP_ACT_ERRNO',
      errnoRet: 81,
      args: [{ index: 0, value: 0, op: 'SCMP_CMP_NE' }],
    },
  ],
};

const ARGS_CALLS: LoaderCall[] = [
  { syscall: 'personality', args: [0xffffffff] },
  { syscall: 'personality', args: [0x4242] },
  { syscall: 'personality', args: [0] },
  { syscall: 'getpgid', args: [0] },
  { syscall: 'getpgid', args: [7] },
  { syscall: 'getsid', args: [4, 0] },
  { syscall: 'getsid', args: [4, 5] },
  { syscall: 'getsid', args: [0, 5] },
  { syscall: 'getsid', args: [0, 0] },
  { syscall: 'umask', args: [0o777] },
  { syscall: 'umask', args: [0o1700] },
  { syscall: 'umask', args: [0o022] },
  { syscall: 'fcntl', args: [101, 1] },
  { syscall: 'fcntl', args: [101, 2] },
  { syscall: 'fcntl', args: [100, 1] },
  { syscall: 'dup', args: [-1] },
  { syscall: 'dup', args: [5] },
  { syscall: 'uname', args: [0] },
  { syscall: 'uname', args: [0x2000] },
  { syscall: 'getppid', args: [0] },
  { syscall: 'getppid', args: [1] },
  { syscall: 'getpid', args: [] },
];

const DENY_PROFILE: SeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 83,
  syscalls: [
    { names: ['getppid', 'getpid'], action: 'SCMP_ACT_ALLOW' },
    {
      names: ['personality'],
      action: 'SCMP_ACT_ALLOW',
      args: [{ index: 0, value: 0xffffffff, op: 'SCMP_CMP_EQ' }],
    },
    { names: ['umask'], action: 'SCMP_ACT_KILL_THREAD' },
    { names: ['getsid'], action: 'SCMP_ACT_TRAP' },
    {
      names: ['dup'],
      action: 'SCMP_ACT_ERRNO',
      errnoRet: 84,
      args: [{ index: 0, value: 1000, op: 'SCMP_CMP_GT' }],
    },
  ],
};

const DENY_CALLS: LoaderCall[] = [
  { syscall: 'getppid', args: [] },
  { syscall: 'getpid', args: [] },
  { syscall: 'personality', args: [0xffffffff] },
  { syscall: 'personality', args: [0] },
  { syscall: 'umask', args: [0] },
  { syscall: 'getsid', args: [0] },
  { syscall: 'dup', args: [-1] },
  { syscall: 'dup', args: [5] },
  { syscall: 'uname', args: [0] },
];

describe.skipIf(skipReason !== undefined)('seccomp profiles on the real kernel (libseccomp)', () => {
  it('agrees with evaluate() on argument rules, MASKED_EQ and precedence', async () => {
    const rows = await compare(ARGS_PROFILE, ARGS_CALLS);
    for (const row of rows) expect(row.evaluate, row.call).toBe(row.kernel);
    // The cases are not all "ran": each kind of outcome happened.
    expect(new Set(rows.map((row) => row.kernel))).toEqual(
      new Set([
        'errno 77',
        'signal 31',
        'ran',
        'errno 79',
        'errno 80',
        'errno 13',
        'errno 78',
        'errno 9',
        'errno 82',
        'errno 14',
        'errno 81',
      ]),
    );
  });

  it('agrees with evaluate() on a deny-by-default profile and on its log-mode form', async () => {
    const rows = await compare(DENY_PROFILE, DENY_CALLS);
    for (const row of rows) expect(row.evaluate, row.call).toBe(row.kernel);
    expect(rows.map((row) => row.kernel)).toEqual([
      'ran',
      'ran',
      'ran',
      'errno 83',
      'signal 31',
      'signal 31',
      'errno 84',
      'errno 83',
      'errno 83',
    ]);
    const logged = await compare(toLogMode(DENY_PROFILE), DENY_CALLS);
    for (const row of logged) expect(row.evaluate, row.call).toBe(row.kernel);
    expect(logged.some((row) => row.kernel.startsWith('signal'))).toBe(false);
  });

  it('fails to load a rule validateProfile calls conflicting, as libseccomp refuses it', async () => {
    const conflicting: SeccompProfile = {
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [
        {
          names: ['getpgid'],
          action: 'SCMP_ACT_ERRNO',
          errnoRet: 79,
          args: [
            { index: 0, value: 1, op: 'SCMP_CMP_EQ' },
            { index: 1, value: 1, op: 'SCMP_CMP_EQ' },
          ],
        },
        { names: ['getpgid'], action: 'SCMP_ACT_TRAP', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }] },
      ],
    };
    const validation = validateProfile(conflicting);
    expect(validation.ok).toBe(false);
    if (!validation.ok) expect(validation.errors[0].message).toContain('EEXIST');
    await expect(runLoader(conflicting, [{ syscall: 'getpgid', args: [1, 1] }])).rejects.toThrow(
      /File exists/,
    );
  });

  it.skipIf(arch !== 'x86_64')(
    'kills an i386 call the profile does not cover, and filters it when it does',
    async () => {
      const calls: LoaderCall[] = [
        { syscall: 'getpid', args: [], compat: true },
        { syscall: 'personality', args: [0xffffffff], compat: true },
        { syscall: 'getpid', args: [] },
      ];
      const nativeOnly: SeccompProfile = {
        defaultAction: 'SCMP_ACT_ALLOW',
        architectures: ['SCMP_ARCH_X86_64'],
        syscalls: [{ names: ['getpid'], action: 'SCMP_ACT_ERRNO', errnoRet: 55 }],
      };
      const rows = await compare(nativeOnly, calls);
      for (const row of rows) expect(row.evaluate, row.call).toBe(row.kernel);
      expect(rows.map((row) => row.kernel)).toEqual(['signal 31', 'signal 31', 'errno 55']);
      // On i386 the filter sees 32-bit arguments: -1 equals 0xffffffff there, not on x86_64.
      const withCompat: SeccompProfile = {
        ...nativeOnly,
        architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
        syscalls: [
          ...nativeOnly.syscalls!,
          {
            names: ['umask'],
            action: 'SCMP_ACT_ERRNO',
            errnoRet: 56,
            args: [{ index: 0, value: 0xffffffff, op: 'SCMP_CMP_EQ' }],
          },
        ],
      };
      const wideCalls: LoaderCall[] = [
        ...calls,
        { syscall: 'umask', args: [-1], compat: true },
        { syscall: 'umask', args: [-1] },
      ];
      const compatRows = await compare(withCompat, wideCalls);
      for (const row of compatRows) expect(row.evaluate, row.call).toBe(row.kernel);
      expect(compatRows.map((row) => row.kernel)).toEqual(['errno 55', 'ran', 'errno 55', 'errno 56', 'ran']);
    },
  );
});

// Never overlap the other kernel suites (auditd takes the records from /dev/kmsg).
holdKernelLock();
