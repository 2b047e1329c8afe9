import type { SeccompArg } from '../model/seccomp-profile.js';

const MAX64 = (1n << 64n) - 1n;

/**
 * True when no 64-bit value satisfies all of `args` (all on one index): the rule can never
 * match. Tracks the allowed interval, the required equality, excluded values and masked
 * equalities; exact for every combination of at most one EQ and ranges, conservative otherwise.
 */
export function argsContradict(args: readonly SeccompArg[]): boolean {
  let lo = 0n;
  let hi = MAX64;
  let equal: bigint | undefined;
  const notEqual: bigint[] = [];
  const masked: Array<{ mask: bigint; datum: bigint }> = [];
  for (const arg of args) {
    const value = BigInt.asUintN(64, BigInt(arg.value));
    switch (arg.op) {
      case 'SCMP_CMP_EQ':
        if (equal !== undefined && equal !== value) return true;
        equal = value;
        break;
      case 'SCMP_CMP_NE':
        notEqual.push(value);
        break;
      case 'SCMP_CMP_LT':
        if (value === 0n) return true;
        hi = min(hi, value - 1n);
        break;
      case 'SCMP_CMP_LE':
        hi = min(hi, value);
        break;
      case 'SCMP_CMP_GT':
        if (value === MAX64) return true;
        lo = max(lo, value + 1n);
        break;
      case 'SCMP_CMP_GE':
        lo = max(lo, value);
        break;
      case 'SCMP_CMP_MASKED_EQ': {
        const datum = BigInt.asUintN(64, BigInt(arg.valueTwo ?? 0));
        // Bits of the datum outside the mask can never be produced by (arg & mask).
        if ((datum & ~value & MAX64) !== 0n) return true;
        masked.push({ mask: value, datum });
        break;
      }
    }
  }
  if (lo > hi) return true;
  if (equal !== undefined) {
    if (equal < lo || equal > hi || notEqual.includes(equal)) return true;
    if (masked.some(({ mask, datum }) => (equal & mask) !== datum)) return true;
  }
  for (let i = 0; i < masked.length; i++) {
    for (let j = i + 1; j < masked.length; j++) {
      const common = masked[i].mask & masked[j].mask;
      if ((masked[i].datum & common) !== (masked[j].datum & common)) return true;
    }
  }
  return lo === hi && notEqual.includes(lo);
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
