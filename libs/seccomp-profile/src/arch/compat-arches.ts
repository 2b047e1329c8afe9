/**
 * Compat ABIs a 64-bit kernel also accepts. A profile that lists the 64-bit arch but not these
 * leaves them to the bad-arch action (usually a kill) rather than to its rules, or, worse, a
 * hand-made filter may not check them at all. Mirrors Docker's default `archMap`.
 */
export const COMPAT_ARCHES: Readonly<Record<string, readonly string[]>> = {
  SCMP_ARCH_X86_64: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
  SCMP_ARCH_AARCH64: ['SCMP_ARCH_ARM'],
  SCMP_ARCH_MIPS64: ['SCMP_ARCH_MIPS'],
  SCMP_ARCH_MIPSEL64: ['SCMP_ARCH_MIPSEL'],
  SCMP_ARCH_S390X: ['SCMP_ARCH_S390'],
  SCMP_ARCH_RISCV64: [],
  SCMP_ARCH_PPC64LE: [],
  SCMP_ARCH_LOONGARCH64: [],
};

export function compatArchesOf(scmpArch: string): readonly string[] {
  return COMPAT_ARCHES[scmpArch] ?? [];
}

/**
 * Every architecture libseccomp accepts in a profile. Some have no table in libs/syscalls
 * (s390, mips n32, parisc ...): they are valid, their syscall names just go unchecked.
 */
export const LIBSECCOMP_ARCHES: ReadonlySet<string> = new Set([
  'SCMP_ARCH_NATIVE',
  'SCMP_ARCH_X86',
  'SCMP_ARCH_X86_64',
  'SCMP_ARCH_X32',
  'SCMP_ARCH_ARM',
  'SCMP_ARCH_AARCH64',
  'SCMP_ARCH_LOONGARCH64',
  'SCMP_ARCH_M68K',
  'SCMP_ARCH_MIPS',
  'SCMP_ARCH_MIPS64',
  'SCMP_ARCH_MIPS64N32',
  'SCMP_ARCH_MIPSEL',
  'SCMP_ARCH_MIPSEL64',
  'SCMP_ARCH_MIPSEL64N32',
  'SCMP_ARCH_PPC',
  'SCMP_ARCH_PPC64',
  'SCMP_ARCH_PPC64LE',
  'SCMP_ARCH_S390',
  'SCMP_ARCH_S390X',
  'SCMP_ARCH_PARISC',
  'SCMP_ARCH_PARISC64',
  'SCMP_ARCH_RISCV64',
  'SCMP_ARCH_SH',
  'SCMP_ARCH_SHEB',
]);
