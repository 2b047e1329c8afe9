import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { SeccompAction, SeccompProfile } from '@sandtrap/seccomp-profile';

const run = promisify(execFile);

export const LOADER_SOURCE = fileURLToPath(new URL('./profile-loader.c', import.meta.url));

/** One call for the loader to make: a syscall of the native arch and up to six arguments. */
export interface LoaderCall {
  syscall: string;
  args: readonly (number | bigint)[];
  /** x86_64 only: make the i386 syscall of that name through int 0x80. */
  compat?: boolean;
}

/** What the loader printed for one call. */
export interface LoaderOutcome {
  call: number;
  syscall: string;
  baseRet: number;
  baseErrno: number;
  ret: number;
  errno: number;
  signal: number;
}

let compiled: Promise<{ dir: string; binary: string }> | undefined;

/** Compiles test/kernel/profile-loader.c with -lseccomp once per test process. */
export function compileLoader(): Promise<{ dir: string; binary: string }> {
  compiled ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sandtrap-profile-loader-'));
    const binary = join(dir, 'profile-loader');
    await run('gcc', ['-O2', '-Wall', '-Wextra', '-Werror', '-o', binary, LOADER_SOURCE, '-lseccomp']);
    return { dir, binary };
  })().catch((error: unknown) => {
    compiled = undefined;
    throw error;
  });
  return compiled;
}

const LOADER_ACTION: Record<SeccompAction, string> = {
  SCMP_ACT_ALLOW: 'ALLOW',
  SCMP_ACT_LOG: 'LOG',
  SCMP_ACT_TRAP: 'TRAP',
  SCMP_ACT_KILL: 'KILL_THREAD',
  SCMP_ACT_KILL_THREAD: 'KILL_THREAD',
  SCMP_ACT_KILL_PROCESS: 'KILL_PROCESS',
  SCMP_ACT_ERRNO: 'ERRNO',
  SCMP_ACT_TRACE: 'TRACE',
  SCMP_ACT_NOTIFY: 'NOTIFY',
};

const LOADER_OP: Record<string, string> = {
  SCMP_CMP_NE: 'NE',
  SCMP_CMP_LT: 'LT',
  SCMP_CMP_LE: 'LE',
  SCMP_CMP_EQ: 'EQ',
  SCMP_CMP_GE: 'GE',
  SCMP_CMP_GT: 'GT',
  SCMP_CMP_MASKED_EQ: 'MASKED_EQ',
};

function actionText(action: SeccompAction, errnoRet: number | undefined): string {
  const name = LOADER_ACTION[action];
  if (action === 'SCMP_ACT_ERRNO') return `${name} ${errnoRet ?? 1}`;
  if (action === 'SCMP_ACT_TRACE') return `${name} ${errnoRet ?? 0}`;
  return name;
}

const hex = (value: number | bigint) => `0x${BigInt.asUintN(64, BigInt(value)).toString(16)}`;

/**
 * The loader's line form of a profile (no archMap, no includes/excludes). Like runc, rules whose
 * action equals the default are left out: libseccomp refuses them.
 */
export function toLoaderText(profile: SeccompProfile, calls: readonly LoaderCall[]): string {
  const lines = [`default ${actionText(profile.defaultAction, profile.defaultErrnoRet)}`];
  // libseccomp's names: SCMP_ARCH_X86 -> x86. The native arch is always in the filter.
  for (const arch of profile.architectures ?? [])
    lines.push(`arch ${arch.replace('SCMP_ARCH_', '').toLowerCase()}`);
  for (const rule of profile.syscalls ?? []) {
    if (rule.action === profile.defaultAction && rule.errnoRet === profile.defaultErrnoRet) continue;
    const conditions = (rule.args ?? []).map((arg) => {
      const datum = arg.op === 'SCMP_CMP_MASKED_EQ' ? ` ${hex(arg.valueTwo ?? 0)}` : '';
      return ` arg${arg.index} ${LOADER_OP[arg.op]} ${hex(arg.value)}${datum}`;
    });
    for (const name of rule.names)
      lines.push(`rule ${name} ${actionText(rule.action, rule.errnoRet)}${conditions.join('')}`);
  }
  for (const call of calls)
    lines.push(
      `${call.compat ? 'call32' : 'call'} ${call.syscall}${call.args.map((a) => ` ${hex(a)}`).join('')}`,
    );
  return `${lines.join('\n')}\n`;
}

/** Loads `profile` in forked children and makes each call; rejects on a loader error (exit 2). */
export async function runLoader(
  profile: SeccompProfile,
  calls: readonly LoaderCall[],
): Promise<LoaderOutcome[]> {
  const { dir, binary } = await compileLoader();
  const file = join(dir, `profile-${process.pid}-${Math.random().toString(36).slice(2)}.txt`);
  await writeFile(file, toLoaderText(profile, calls));
  const { stdout } = await run(binary, [file]);
  return stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as LoaderOutcome);
}
