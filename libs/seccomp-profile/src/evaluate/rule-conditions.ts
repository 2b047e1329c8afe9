import type { SeccompArg, SeccompFilterCondition, SeccompRule } from '../model/seccomp-profile.js';

const UINT64 = 64;

/** Architectures whose syscall arguments the filter sees as 32-bit values (libseccomp's size). */
const ARG32_ARCHES = new Set([
  'i386',
  'x86',
  'x32',
  'arm',
  'mips',
  'mipsel',
  'mips64n32',
  'mipsel64n32',
  'ppc',
  's390',
  'riscv32',
  'parisc',
]);

export function argWidth(arch: string): 32 | 64 {
  return ARG32_ARCHES.has(arch) ? 32 : 64;
}

/** A syscall argument as the filter sees it: unsigned, `width` bits. Negative numbers wrap. */
export function toFilterValue(value: number | bigint, width: 32 | 64): bigint {
  const big = typeof value === 'bigint' ? value : BigInt(Math.trunc(value));
  return BigInt.asUintN(width, BigInt.asUintN(UINT64, big));
}

export function argMatches(arg: SeccompArg, args: readonly (number | bigint)[], width: 32 | 64): boolean {
  const actual = toFilterValue(args[arg.index] ?? 0, width);
  const value = toFilterValue(arg.value, width);
  switch (arg.op) {
    case 'SCMP_CMP_NE':
      return actual !== value;
    case 'SCMP_CMP_LT':
      return actual < value;
    case 'SCMP_CMP_LE':
      return actual <= value;
    case 'SCMP_CMP_EQ':
      return actual === value;
    case 'SCMP_CMP_GE':
      return actual >= value;
    case 'SCMP_CMP_GT':
      return actual > value;
    case 'SCMP_CMP_MASKED_EQ':
      return (actual & value) === toFilterValue(arg.valueTwo ?? 0, width);
  }
}

/** Everything but names and action: rules with equal keys match exactly the same calls. */
export function conditionKey(rule: SeccompRule): string {
  const args = (rule.args ?? [])
    .map((a) => `${a.index}:${a.op}:${a.value}:${a.valueTwo ?? 0}`)
    .sort()
    .join(',');
  return `${args}|${conditionText(rule.includes)}|${conditionText(rule.excludes)}`;
}

function conditionText(condition: SeccompFilterCondition | undefined): string {
  if (!condition) return '';
  const caps = [...(condition.caps ?? [])].sort().join(',');
  const arches = [...(condition.arches ?? [])].sort().join(',');
  return `${caps};${arches};${condition.minKernel ?? ''}`;
}

export interface RuleContext {
  /** SCMP name of the arch being evaluated, e.g. SCMP_ARCH_X86_64. */
  scmpArch: string;
  /** libs/syscalls name of the same arch, e.g. x86_64. Docker's `arches` use GOARCH (amd64). */
  arch: string;
  /** Capabilities the container holds; undefined means none. */
  caps?: readonly string[];
  /** Running kernel `major.minor[...]`; undefined means minKernel conditions are not checked. */
  kernel?: string;
}

/**
 * Docker's `includes`/`excludes`: a rule is installed when every included cap is held, the arch
 * is among the included arches (if any) and the kernel is at least minKernel, and none of the
 * excluded caps or arches applies (nor an excluded minKernel that the kernel reaches).
 */
export function ruleApplies(rule: SeccompRule, context: RuleContext): boolean {
  const caps = new Set(context.caps ?? []);
  const names = archNamesOf(context);
  const archIn = (arches: readonly string[]) => arches.some((arch) => names.has(arch));
  const inc = rule.includes;
  if (inc) {
    if (inc.caps && !inc.caps.every((cap) => caps.has(cap))) return false;
    if (inc.arches && inc.arches.length > 0 && !archIn(inc.arches)) return false;
    if (inc.minKernel && context.kernel !== undefined && !kernelAtLeast(context.kernel, inc.minKernel))
      return false;
  }
  const exc = rule.excludes;
  if (exc) {
    if (exc.caps && exc.caps.some((cap) => caps.has(cap))) return false;
    if (exc.arches && archIn(exc.arches)) return false;
    if (exc.minKernel && context.kernel !== undefined && kernelAtLeast(context.kernel, exc.minKernel))
      return false;
  }
  return true;
}

/** Go's GOARCH names, which Docker's `arches` use (`amd64`, `arm64` ...). */
const GO_ARCH: Readonly<Record<string, string>> = {
  x86_64: 'amd64',
  i386: '386',
  aarch64: 'arm64',
  arm: 'arm',
  ppc64le: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loongarch64: 'loong64',
  mips64: 'mips64',
  mipsel64: 'mips64le',
};

/** Compat ABIs run on their 64-bit parent's host, whose GOARCH Docker compares. */
const NATIVE_PARENT: Readonly<Record<string, string>> = { i386: 'x86_64', x32: 'x86_64', arm: 'aarch64' };

function archNamesOf(context: RuleContext): Set<string> {
  const names = new Set([context.scmpArch, context.arch]);
  for (const arch of [context.arch, NATIVE_PARENT[context.arch]]) {
    if (arch !== undefined && GO_ARCH[arch] !== undefined) names.add(GO_ARCH[arch]);
  }
  return names;
}

export function kernelAtLeast(kernel: string, minimum: string): boolean {
  const [major, minor] = versionOf(kernel);
  const [wantMajor, wantMinor] = versionOf(minimum);
  return major > wantMajor || (major === wantMajor && minor >= wantMinor);
}

function versionOf(text: string): [number, number] {
  const match = /^(\d+)\.(\d+)/.exec(text);
  return match ? [Number(match[1]), Number(match[2])] : [0, 0];
}
