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
