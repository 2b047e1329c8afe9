import { profileArches } from '../arch/profile-arches.js';
import { conditionKey } from '../evaluate/rule-conditions.js';
import type { SeccompAction, SeccompFlag, SeccompProfile, SeccompRule } from '../model/seccomp-profile.js';

export interface MergeOptions {
  /** Default: the first profile's defaultAction (and defaultErrnoRet). */
  defaultAction?: SeccompAction;
  defaultErrnoRet?: number;
}

export interface MergedProfile {
  profile: SeccompProfile;
  /** For each allowed syscall, how many of the input profiles allow it (unconditionally or not). */
  coverage: Record<string, number>;
}

/**
 * The union of what several profiles allow: one ALLOW rule with every syscall some profile allows
 * without conditions (sorted), then the distinct conditional ALLOW rules for the others. Arches
 * and flags are the union too. Non-ALLOW rules are dropped: the merge is an allow-list.
 */
export function mergeProfiles(
  profiles: readonly SeccompProfile[],
  options: MergeOptions = {},
): MergedProfile {
  if (profiles.length === 0) throw new RangeError('mergeProfiles needs at least one profile');
  const first = profiles[0];
  const defaultAction = options.defaultAction ?? first.defaultAction;
  const unconditional = new Set<string>();
  const coverage: Record<string, number> = {};
  const conditional = new Map<string, SeccompRule>();
  for (const profile of profiles) {
    const allowedHere = new Set<string>();
    for (const rule of profile.syscalls ?? []) {
      if (rule.action !== 'SCMP_ACT_ALLOW') continue;
      rule.names.forEach((name) => allowedHere.add(name));
      const plain = (rule.args ?? []).length === 0 && !rule.includes && !rule.excludes;
      if (plain) rule.names.forEach((name) => unconditional.add(name));
      else
        conditional.set(`${[...rule.names].sort().join(',')}|${conditionKey(rule)}`, structuredClone(rule));
    }
    for (const name of allowedHere) coverage[name] = (coverage[name] ?? 0) + 1;
  }
  const syscalls: SeccompRule[] = [];
  if (unconditional.size > 0) syscalls.push({ names: [...unconditional].sort(), action: 'SCMP_ACT_ALLOW' });
  for (const rule of conditional.values()) {
    const names = rule.names.filter((name) => !unconditional.has(name));
    if (names.length > 0) syscalls.push({ ...rule, names });
  }
  const profile: SeccompProfile = { defaultAction };
  const errnoRet =
    options.defaultErrnoRet ?? (options.defaultAction === undefined ? first.defaultErrnoRet : undefined);
  if (errnoRet !== undefined && defaultAction === 'SCMP_ACT_ERRNO') profile.defaultErrnoRet = errnoRet;
  const arches = [...new Set(profiles.flatMap((p) => profileArches(p)))];
  if (arches.length > 0) profile.architectures = arches;
  const flags = [...new Set(profiles.flatMap((p) => p.flags ?? []))] as SeccompFlag[];
  if (flags.length > 0) profile.flags = flags;
  profile.syscalls = syscalls;
  const sortedCoverage = Object.fromEntries(Object.entries(coverage).sort(([x], [y]) => (x < y ? -1 : 1)));
  return { profile, coverage: sortedCoverage };
}
