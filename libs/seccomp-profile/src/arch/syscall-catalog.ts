import { archFromScmp, resolveSyscall, scmpArchOf, syscallNames, syscallNumber } from '@sandtrap/syscalls';

/**
 * The one place this lib reads libs/syscalls, so a change in its surface touches one file.
 * Architectures here are libs/syscalls names (`x86_64`, `i386`, `x32`, `aarch64`, `arm` ...);
 * profiles spell them `SCMP_ARCH_*`.
 */

/** `SCMP_ARCH_X86_64` -> `x86_64`; undefined for an architecture libs/syscalls does not know. */
export function archOfScmp(scmpArch: string): string | undefined {
  return archFromScmp(scmpArch) ?? undefined;
}

/** `x86_64` -> `SCMP_ARCH_X86_64`; undefined when unknown. */
export function scmpOfArch(arch: string): string | undefined {
  return scmpArchOf(arch) ?? undefined;
}

/** Accepts either spelling and returns the libs/syscalls name. */
export function normaliseArch(arch: string): string | undefined {
  if (typeof arch !== 'string') return undefined;
  if (arch.startsWith('SCMP_ARCH_')) return archOfScmp(arch);
  return scmpOfArch(arch) === undefined ? undefined : arch;
}

export function syscallNameOf(arch: string, nr: number): string | undefined {
  const resolved: unknown = resolveSyscall(arch, nr);
  if (typeof resolved === 'string') return resolved;
  if (resolved && typeof resolved === 'object' && 'name' in resolved && typeof resolved.name === 'string') {
    return resolved.name;
  }
  return undefined;
}

export function syscallNumberOf(arch: string, name: string): number | undefined {
  return syscallNumber(arch, name) ?? undefined;
}

export function syscallNamesOf(arch: string): readonly string[] {
  return syscallNames(arch);
}

export function isKnownSyscall(arch: string, name: string): boolean {
  return syscallNumberOf(arch, name) !== undefined;
}

/** True when libs/syscalls has a syscall table for the arch (mips o32, s390 ... have none). */
export function hasSyscallTable(arch: string): boolean {
  return syscallNamesOf(arch).length > 0;
}
