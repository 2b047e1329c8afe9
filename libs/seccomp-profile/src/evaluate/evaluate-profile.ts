import { profileArches } from '../arch/profile-arches.js';
import { normaliseArch, scmpOfArch, syscallNameOf } from '../arch/syscall-catalog.js';
import { compareRestrictiveness, DEFAULT_ERRNO_RET, takesErrnoRet } from '../model/seccomp-action.js';
import type { SeccompAction, SeccompProfile } from '../model/seccomp-profile.js';
import { EvaluationError } from './evaluation-error.js';
import { argMatches, argWidth, ruleApplies, type RuleContext } from './rule-conditions.js';

export interface EvaluationInput {
  /** `x86_64` (libs/syscalls name) or `SCMP_ARCH_X86_64`. */
  arch: string;
  /** Syscall name, or its number in `arch`'s table. */
  syscall: string | number;
  /**
   * Up to six arguments (number or bigint, negatives wrap to unsigned). Missing indexes read as 0.
   * When `args` is omitted entirely, rules with argument conditions are not considered: the answer
   * is what the syscall gets regardless of its arguments (see `conditional`).
   */
  args?: readonly (number | bigint)[];
  /** Capabilities held, for Docker's includes/excludes `caps` (omitted: none). */
  caps?: readonly string[];
  /** Kernel version `major.minor` for `minKernel` (omitted: minKernel is not checked). */
  kernel?: string;
  /**
   * The action for an arch the profile does not cover. libseccomp's default bad-arch action,
   * which runc and crun keep, is KILL_THREAD (SCMP_ACT_KILL).
   */
  badArchAction?: SeccompAction;
  /**
   * How rules for one syscall combine. `libseccomp` (default: what runc and crun load): an
   * unconditional rule for the syscall decides and its conditional rules never match; among
   * matching conditional rules the most restrictive action wins. `kernel`: every matching rule
   * counts and the most restrictive wins, as when each rule is its own stacked filter.
   * libseccomp resolves conditional rules whose conditions overlap by its decision-tree order,
   * not by action; lintProfile reports such rules (`overlapping-rules`).
   */
  precedence?: RulePrecedence;
}

export type RulePrecedence = 'libseccomp' | 'kernel';

export type EvaluationReason = 'rule' | 'default' | 'bad-arch' | 'unknown-syscall';

export interface Evaluation {
  action: SeccompAction;
  /** The errno for ERRNO (EPERM when the profile gives none), TRACE's message value for TRACE. */
  errnoRet?: number;
  /** Index in `profile.syscalls` of the rule that decided, when one did. */
  ruleIndex?: number;
  reason: EvaluationReason;
  /** True when `args` was omitted and some rule with argument conditions names this syscall. */
  conditional?: boolean;
}

/**
 * What the kernel does with one call under `profile`. When several rules match, the most
 * restrictive action wins (KILL_PROCESS > KILL_THREAD > TRAP > ERRNO > USER_NOTIF > TRACE > LOG >
 * ALLOW), between equal actions the earlier rule; but with the default `libseccomp` precedence an
 * unconditional rule for the syscall overrides its conditional ones (see `precedence`). A syscall number unknown in the arch's
 * table gets the default action; an arch the profile does not list gets `badArchAction`.
 */
export function evaluate(profile: SeccompProfile, input: EvaluationInput): Evaluation {
  checkInput(input);
  const arch = normaliseArch(input.arch);
  const scmpArch = arch === undefined ? undefined : scmpOfArch(arch);
  const covered = profileArches(profile);
  if (arch === undefined || scmpArch === undefined || (covered.length > 0 && !covered.includes(scmpArch))) {
    return { action: input.badArchAction ?? 'SCMP_ACT_KILL_THREAD', reason: 'bad-arch' };
  }
  const name = typeof input.syscall === 'number' ? syscallNameOf(arch, input.syscall) : input.syscall;
  const fallback = defaultOutcome(profile);
  if (name === undefined) return { ...fallback, reason: 'unknown-syscall' };
  const context: RuleContext = { arch, scmpArch, caps: input.caps, kernel: input.kernel };
  const width = argWidth(arch);
  let best: Evaluation | undefined;
  let conditional = false;
  const rules = (profile.syscalls ?? [])
    .map((rule, ruleIndex) => ({ rule, ruleIndex }))
    .filter(({ rule }) => rule.names.includes(name) && ruleApplies(rule, context));
  const unconditional = rules.find(({ rule }) => (rule.args ?? []).length === 0);
  const deciding =
    (input.precedence ?? 'libseccomp') === 'libseccomp' && unconditional ? [unconditional] : rules;
  deciding.forEach(({ rule, ruleIndex }) => {
    const args = rule.args ?? [];
    if (args.length > 0 && input.args === undefined) {
      conditional = true;
      return;
    }
    if (!args.every((arg) => argMatches(arg, input.args ?? [], width))) return;
    if (best === undefined || compareRestrictiveness(rule.action, best.action) > 0) {
      best = { action: rule.action, ruleIndex, reason: 'rule' };
      if (takesErrnoRet(rule.action)) best.errnoRet = rule.errnoRet ?? errnoDefault(rule.action);
    }
  });
  const outcome: Evaluation = best ?? fallback;
  return conditional ? { ...outcome, conditional } : outcome;
}

function defaultOutcome(profile: SeccompProfile): Evaluation {
  const outcome: Evaluation = { action: profile.defaultAction, reason: 'default' };
  if (takesErrnoRet(profile.defaultAction)) {
    outcome.errnoRet = profile.defaultErrnoRet ?? errnoDefault(profile.defaultAction);
  }
  return outcome;
}

function errnoDefault(action: SeccompAction): number {
  return action === 'SCMP_ACT_ERRNO' ? DEFAULT_ERRNO_RET : 0;
}

/** Inputs come from API requests and recorded events: reject what cannot be a syscall call. */
function checkInput(input: EvaluationInput): void {
  if (input === null || typeof input !== 'object')
    throw new EvaluationError('evaluation input must be an object');
  if (typeof input.arch !== 'string') throw new EvaluationError('arch must be a string');
  const { syscall, args } = input;
  if (typeof syscall === 'number' ? !Number.isInteger(syscall) : typeof syscall !== 'string') {
    throw new EvaluationError('syscall must be a name or an integer number');
  }
  if (args === undefined) return;
  if (!Array.isArray(args) || args.length > 6)
    throw new EvaluationError('args must be an array of at most 6 values');
  for (const arg of args) {
    if (typeof arg !== 'bigint' && !(typeof arg === 'number' && Number.isInteger(arg))) {
      throw new EvaluationError('each argument must be an integer number or a bigint');
    }
  }
}
