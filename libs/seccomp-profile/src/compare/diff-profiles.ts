import { profileArches } from '../arch/profile-arches.js';
import { normaliseArch, scmpOfArch, syscallNamesOf } from '../arch/syscall-catalog.js';
import { evaluate } from '../evaluate/evaluate-profile.js';
import { conditionKey, ruleApplies } from '../evaluate/rule-conditions.js';
import type { SeccompAction, SeccompProfile } from '../model/seccomp-profile.js';

/** What a profile does with a syscall whatever its arguments. */
export interface SyscallOutcome {
  action: SeccompAction;
  errnoRet?: number;
  /** Some rule with argument conditions also names the syscall: `action` is for other args. */
  conditional?: boolean;
}

export interface ProfileDiffEntry {
  /** libs/syscalls arch name (`x86_64`), as SecurityEvents spell it. */
  arch: string;
  syscall: string;
  from: SyscallOutcome;
  to: SyscallOutcome;
}

export interface DiffOptions {
  /** Arches to compare (either spelling). Default: every arch either profile covers, else x86_64. */
  arches?: readonly string[];
  caps?: readonly string[];
  kernel?: string;
}

/**
 * Syscalls whose treatment changed from `a` to `b`, per arch, sorted by arch then syscall. A
 * syscall counts as changed when its argument-independent outcome differs or its argument rules
 * do (a conditional rule added, removed or given another action).
 */
export function diffProfiles(
  a: SeccompProfile,
  b: SeccompProfile,
  options: DiffOptions = {},
): ProfileDiffEntry[] {
  const requested = options.arches ?? [...new Set([...profileArches(a), ...profileArches(b)])];
  const arches = [
    ...new Set((requested.length > 0 ? requested : ['x86_64']).map((x) => normaliseArch(x) ?? x)),
  ];
  const mentioned = new Set([...(a.syscalls ?? []), ...(b.syscalls ?? [])].flatMap((rule) => rule.names));
  const out: ProfileDiffEntry[] = [];
  for (const arch of arches.sort()) {
    // Names the arch's table lacks are skipped there by libseccomp: nothing to compare.
    const table = safeNames(arch);
    const names = table.length > 0 ? new Set(table) : mentioned;
    for (const syscall of [...names].sort()) {
      const from = outcomeOf(a, arch, syscall, options);
      const to = outcomeOf(b, arch, syscall, options);
      if (from.signature !== to.signature) out.push({ arch, syscall, from: from.outcome, to: to.outcome });
    }
  }
  return out;
}

function safeNames(arch: string): readonly string[] {
  try {
    return syscallNamesOf(arch);
  } catch {
    return [];
  }
}

function outcomeOf(profile: SeccompProfile, arch: string, syscall: string, options: DiffOptions) {
  const result = evaluate(profile, { arch, syscall, caps: options.caps, kernel: options.kernel });
  const outcome: SyscallOutcome = { action: result.action };
  if (result.errnoRet !== undefined) outcome.errnoRet = result.errnoRet;
  if (result.conditional) outcome.conditional = true;
  const context = { arch, scmpArch: scmpOfArch(arch) ?? arch, caps: options.caps, kernel: options.kernel };
  const argRules = (profile.syscalls ?? [])
    .filter(
      (rule) => (rule.args ?? []).length > 0 && rule.names.includes(syscall) && ruleApplies(rule, context),
    )
    .map((rule) => `${rule.action}:${rule.errnoRet ?? ''}:${conditionKey(rule)}`)
    .sort();
  return { outcome, signature: `${result.action}:${result.errnoRet ?? ''}|${argRules.join(';')}` };
}
