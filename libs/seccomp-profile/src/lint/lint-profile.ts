import { compatArchesOf } from '../arch/compat-arches.js';
import { profileArches } from '../arch/profile-arches.js';
import { hasSyscallTable, isKnownSyscall, normaliseArch, scmpOfArch } from '../arch/syscall-catalog.js';
import { conditionKey, ruleApplies } from '../evaluate/rule-conditions.js';
import { compareRestrictiveness, isAuditedOnlyWithLogFlag } from '../model/seccomp-action.js';
import type { ProfileWarning, SeccompArg, SeccompProfile, SeccompRule } from '../model/seccomp-profile.js';
import { argsContradict } from './arg-contradiction.js';
import { argKey, argsSubsetOf, conditionsMayOverlap, sameOutcome } from './rule-overlap.js';

/**
 * Findings on a profile that is valid but probably not what its author meant. Pointers are into
 * the OCI JSON form. The profile is assumed to have passed `validateProfile`.
 */
export function lintProfile(profile: SeccompProfile): ProfileWarning[] {
  return [
    ...unauditedBlocks(profile),
    ...missingCompatArches(profile),
    ...ambiguousKills(profile),
    ...unreachableRules(profile),
    ...overlappingRules(profile),
    ...partlyUnknownNames(profile),
  ];
}

function unauditedBlocks(profile: SeccompProfile): ProfileWarning[] {
  if (profile.flags?.includes('SECCOMP_FILTER_FLAG_LOG')) return [];
  const warning = (pointer: string, action: string): ProfileWarning => ({
    code: 'unaudited-block',
    pointer,
    message: `${action} is never audited without SECCOMP_FILTER_FLAG_LOG: denials leave no kernel record`,
  });
  const out: ProfileWarning[] = [];
  if (isAuditedOnlyWithLogFlag(profile.defaultAction))
    out.push(warning('/defaultAction', profile.defaultAction));
  (profile.syscalls ?? []).forEach((rule, i) => {
    if (isAuditedOnlyWithLogFlag(rule.action)) out.push(warning(`/syscalls/${i}/action`, rule.action));
  });
  return out;
}

function missingCompatArches(profile: SeccompProfile): ProfileWarning[] {
  const covered = new Set(profileArches(profile));
  const out: ProfileWarning[] = [];
  (profile.architectures ?? []).forEach((arch, i) => {
    const missing = compatArchesOf(arch).filter((compat) => !covered.has(compat));
    if (missing.length > 0) {
      out.push({
        code: 'missing-compat-arch',
        pointer: `/architectures/${i}`,
        message: `${arch} without its compat ABI ${missing.join(', ')}: those calls get the bad-arch action (a kill), not this profile's rules`,
      });
    }
  });
  return out;
}

function ambiguousKills(profile: SeccompProfile): ProfileWarning[] {
  const warning = (pointer: string): ProfileWarning => ({
    code: 'ambiguous-kill',
    pointer,
    message:
      'SCMP_ACT_KILL kills only the calling thread (KILL_THREAD), leaving the rest of the process running; write SCMP_ACT_KILL_PROCESS (or KILL_THREAD if meant)',
  });
  const out: ProfileWarning[] = [];
  if (profile.defaultAction === 'SCMP_ACT_KILL') out.push(warning('/defaultAction'));
  (profile.syscalls ?? []).forEach((rule, i) => {
    if (rule.action === 'SCMP_ACT_KILL') out.push(warning(`/syscalls/${i}/action`));
  });
  return out;
}

function unreachableRules(profile: SeccompProfile): ProfileWarning[] {
  const rules = profile.syscalls ?? [];
  const out: ProfileWarning[] = [];
  rules.forEach((rule, i) => {
    const byIndex = new Map<number, SeccompArg[]>();
    for (const arg of rule.args ?? []) byIndex.set(arg.index, [...(byIndex.get(arg.index) ?? []), arg]);
    for (const [index, args] of byIndex) {
      if (argsContradict(args)) {
        out.push({
          code: 'contradictory-args',
          pointer: `/syscalls/${i}/args`,
          message: `the conditions on argument ${index} can never all hold: the rule never matches`,
        });
      }
    }
    rule.names.forEach((name, j) => {
      const shadow = rules.findIndex(
        (other, k) => k !== i && other.names.includes(name) && shadows(other, rule, k < i),
      );
      if (shadow >= 0) {
        out.push({
          code: 'unreachable-rule',
          pointer: `/syscalls/${i}/names/${j}`,
          message: `${name} never reaches this rule: /syscalls/${shadow} (${rules[shadow].action}) matches every call it does and takes precedence`,
        });
      }
    });
  });
  return out;
}

/**
 * `other` matches every call `rule` matches and wins: it is unconditional and `rule` is not (as
 * libseccomp builds filters), or its action is more restrictive, or equally restrictive and
 * `other` comes first.
 */
function shadows(other: SeccompRule, rule: SeccompRule, otherFirst: boolean): boolean {
  const sameScope = conditionKey({ ...other, args: [] }) === conditionKey({ ...rule, args: [] });
  if (!sameScope) return false;
  // libseccomp: an unconditional rule overrides every conditional rule of the syscall.
  if ((other.args ?? []).length === 0 && (rule.args ?? []).length > 0) return true;
  const order = compareRestrictiveness(other.action, rule.action);
  if (order < 0 || (order === 0 && !otherFirst)) return false;
  const ruleArgs = new Set((rule.args ?? []).map(argKey));
  return (other.args ?? []).every((arg) => ruleArgs.has(argKey(arg)));
}

/**
 * Conditional rules for one syscall, with different actions, that a call can match together.
 * The kernel would take the most restrictive; libseccomp, which runc uses, compiles them into a
 * decision tree that takes whichever branch it tests first (observed: the rule on the higher
 * argument index, EQ before ranges), so the outcome depends on the loader.
 */
function overlappingRules(profile: SeccompProfile): ProfileWarning[] {
  const rules = profile.syscalls ?? [];
  const out: ProfileWarning[] = [];
  rules.forEach((rule, i) => {
    if ((rule.args ?? []).length === 0) return;
    rules.forEach((other, k) => {
      if (k >= i || (other.args ?? []).length === 0 || sameOutcome(rule, other)) return;
      const shared = rule.names.filter((name) => other.names.includes(name));
      if (shared.length === 0 || argsSubsetOf(other, rule) || argsSubsetOf(rule, other)) return;
      if (!conditionsMayOverlap(rule, other)) return;
      out.push({
        code: 'overlapping-rules',
        pointer: `/syscalls/${i}/args`,
        message: `${shared.join(', ')}: a call can match both this rule (${rule.action}) and /syscalls/${k} (${other.action}); libseccomp picks by its tree order, not by restrictiveness`,
      });
    });
  });
  return out;
}

function partlyUnknownNames(profile: SeccompProfile): ProfileWarning[] {
  const arches = profileArches(profile)
    .map((arch) => normaliseArch(arch))
    .filter((arch): arch is string => arch !== undefined && hasSyscallTable(arch));
  if (arches.length < 2) return [];
  const out: ProfileWarning[] = [];
  (profile.syscalls ?? []).forEach((rule, i) => {
    // Docker installs a rule only on the arches its includes/excludes name.
    const archOnly = {
      ...rule,
      includes: { arches: rule.includes?.arches },
      excludes: { arches: rule.excludes?.arches },
    };
    const ruleArches = arches.filter((arch) =>
      ruleApplies(archOnly, { arch, scmpArch: scmpOfArch(arch) ?? arch }),
    );
    // One warning per rule: a cross-arch allow-list legitimately names many arch-specific calls.
    const partial = rule.names
      .map((name) => ({ name, missing: ruleArches.filter((arch) => !isKnownSyscall(arch, name)) }))
      .filter(({ missing }) => missing.length > 0 && missing.length < ruleArches.length);
    if (partial.length === 0) return;
    const shown = partial.slice(0, 5).map(({ name, missing }) => `${name} (not on ${missing.join(', ')})`);
    const more = partial.length > shown.length ? ` and ${partial.length - shown.length} more` : '';
    out.push({
      code: 'unknown-syscall-on-arch',
      pointer: `/syscalls/${i}/names`,
      message: `skipped on some arches: ${shown.join(', ')}${more}`,
    });
  });
  return out;
}
