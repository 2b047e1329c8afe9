import { isBlockingSeccompAction } from '../model/seccomp-action.js';
import type { SeccompProfile, SeccompRule } from '../model/seccomp-profile.js';

/**
 * The profile in audit-only form: every blocking action, the default included, becomes
 * SCMP_ACT_LOG, so each call it would have blocked runs and leaves a kernel record. Errno values
 * go with the actions that used them; rules, arches and conditions stay as they are.
 */
export function toLogMode(profile: SeccompProfile): SeccompProfile {
  const out: SeccompProfile = structuredClone(profile);
  if (isBlockingSeccompAction(out.defaultAction)) {
    out.defaultAction = 'SCMP_ACT_LOG';
    delete out.defaultErrnoRet;
  }
  if (out.syscalls) out.syscalls = out.syscalls.map(logRule);
  return out;
}

function logRule(rule: SeccompRule): SeccompRule {
  if (!isBlockingSeccompAction(rule.action)) return rule;
  const out: SeccompRule = { ...rule, action: 'SCMP_ACT_LOG' };
  delete out.errnoRet;
  return out;
}
