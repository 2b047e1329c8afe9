/**
 * Architecture names as Sandtrap spells them, and their AUDIT_ARCH and libseccomp spellings.
 * AUDIT_ARCH values are the kernel's (include/uapi/linux/audit.h): EM_* | 64BIT | LE flags.
 */

/** Architectures with a syscall table in this lib. */
export const ARCHES = [
  'x86_64',
  'i386',
  'x32',
  'aarch64',
  'arm',
  'riscv64',
  'ppc64le',
  's390x',
  'loongarch64',
  'mips64',
] as const;
export type Arch = (typeof ARCHES)[number];

/** Every arch name this lib knows, including ones that borrow another arch's table. */
export type ArchName = Arch | 'ppc64' | 'mipsel64' | 'riscv32' | 'mips' | 'mipsel' | 'ppc';

// x32 has no AUDIT_ARCH of its own (it logs x86_64 plus the 0x40000000 syscall bit), so it is absent here.
const AUDIT_ARCH: ReadonlyArray<readonly [number, ArchName]> = [
  [0xc000003e, 'x86_64'],
  [0x40000003, 'i386'],
  [0xc00000b7, 'aarch64'],
  [0x40000028, 'arm'],
  [0xc00000f3, 'riscv64'],
  [0x400000f3, 'riscv32'],
  [0xc0000015, 'ppc64le'],
  [0x80000015, 'ppc64'],
  [0x00000014, 'ppc'],
  [0x80000016, 's390x'],
  [0xc0000102, 'loongarch64'],
  [0x80000008, 'mips64'],
  [0xc0000008, 'mipsel64'],
  [0x00000008, 'mips'],
  [0x40000008, 'mipsel'],
];

const ARCH_BY_AUDIT = new Map<number, ArchName>(AUDIT_ARCH);
const AUDIT_BY_ARCH = new Map<string, number>(AUDIT_ARCH.map(([code, arch]) => [arch, code]));
AUDIT_BY_ARCH.set('x32', 0xc000003e);

const SCMP_ARCH: ReadonlyArray<readonly [string, ArchName]> = [
  ['SCMP_ARCH_X86_64', 'x86_64'],
  ['SCMP_ARCH_X86', 'i386'],
  ['SCMP_ARCH_X32', 'x32'],
  ['SCMP_ARCH_AARCH64', 'aarch64'],
  ['SCMP_ARCH_ARM', 'arm'],
  ['SCMP_ARCH_RISCV64', 'riscv64'],
  ['SCMP_ARCH_PPC64LE', 'ppc64le'],
  ['SCMP_ARCH_PPC64', 'ppc64'],
  ['SCMP_ARCH_PPC', 'ppc'],
  ['SCMP_ARCH_S390X', 's390x'],
  ['SCMP_ARCH_LOONGARCH64', 'loongarch64'],
  ['SCMP_ARCH_MIPS64', 'mips64'],
  ['SCMP_ARCH_MIPSEL64', 'mipsel64'],
  ['SCMP_ARCH_MIPS', 'mips'],
  ['SCMP_ARCH_MIPSEL', 'mipsel'],
];
const ARCH_BY_SCMP = new Map<string, ArchName>(SCMP_ARCH);
const SCMP_BY_ARCH = new Map<string, string>(SCMP_ARCH.map(([scmp, arch]) => [arch, scmp]));

/** Parses `c000003e`, `0xC000003E` or a number; undefined when it is not an AUDIT_ARCH we know. */
export function archFromAuditArch(value: string | number): ArchName | undefined {
  let code: number;
  if (typeof value === 'number') code = value;
  else {
    const text = value.startsWith('0x') || value.startsWith('0X') ? value.slice(2) : value;
    if (text.length === 0 || text.length > 8 || !/^[0-9a-fA-F]+$/.test(text)) return undefined;
    code = parseInt(text, 16);
  }
  return ARCH_BY_AUDIT.get(code >>> 0);
}

/** The AUDIT_ARCH number of an arch (x32 gives x86_64's, as the kernel logs it). */
export function auditArchOf(arch: string): number | undefined {
  return AUDIT_BY_ARCH.get(arch);
}

/** `SCMP_ARCH_X86_64` -> `x86_64`. */
export function archFromScmp(scmpArch: string): ArchName | undefined {
  return ARCH_BY_SCMP.get(scmpArch);
}

/** `x86_64` -> `SCMP_ARCH_X86_64`. */
export function scmpArchOf(arch: string): string | undefined {
  return SCMP_BY_ARCH.get(arch);
}

/** Big-endian and 32-bit siblings that share a table with an arch we generate. */
export const TABLE_OF: Readonly<Record<string, Arch>> = { ppc64: 'ppc64le', mipsel64: 'mips64' };

export function isArch(value: string): value is Arch {
  return (ARCHES as readonly string[]).includes(value);
}
