import type { SeccompArg, SeccompRule } from '../model/seccomp-profile.js';
import { argsContradict } from './arg-contradiction.js';

export function argKey(arg: SeccompArg): string {
  return `${arg.index}:${arg.op}:${arg.value}:${arg.valueTwo ?? 0}`;
}

/** True when every condition of `a` is also a condition of `b` (a matches at least what b does). */
export function argsSubsetOf(a: SeccompRule, b: SeccompRule): boolean {
  const keys = new Set((b.args ?? []).map(argKey));
  return (a.args ?? []).every((arg) => keys.has(argKey(arg)));
}

/** True unless some argument index has conditions in `a` and `b` that cannot hold together. */
export function conditionsMayOverlap(a: SeccompRule, b: SeccompRule): boolean {
  const all = [...(a.args ?? []), ...(b.args ?? [])];
  const indexes = new Set(all.map((arg) => arg.index));
  return [...indexes].every((index) => !argsContradict(all.filter((arg) => arg.index === index)));
}

export function sameOutcome(a: SeccompRule, b: SeccompRule): boolean {
  return a.action === b.action && a.errnoRet === b.errnoRet;
}
