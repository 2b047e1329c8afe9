import type { EventAction } from '@sandtrap/events';
import type { SeccompAction } from './seccomp-profile.js';

/**
 * The action a SecurityEvent records for each profile action. SCMP_ACT_KILL is libseccomp's old
 * name for KILL_THREAD.
 */
export const EVENT_ACTION_OF: Readonly<Record<SeccompAction, EventAction>> = {
  SCMP_ACT_KILL_PROCESS: 'kill_process',
  SCMP_ACT_KILL_THREAD: 'kill_thread',
  SCMP_ACT_KILL: 'kill_thread',
  SCMP_ACT_TRAP: 'trap',
  SCMP_ACT_ERRNO: 'errno',
  SCMP_ACT_NOTIFY: 'user_notif',
  SCMP_ACT_TRACE: 'trace',
  SCMP_ACT_LOG: 'log',
  SCMP_ACT_ALLOW: 'allow',
};

export function toEventAction(action: SeccompAction): EventAction {
  return EVENT_ACTION_OF[action];
}

/** Kernel precedence (include/uapi/linux/seccomp.h): a higher rank is more restrictive. */
const RANK: Readonly<Record<SeccompAction, number>> = {
  SCMP_ACT_KILL_PROCESS: 8,
  SCMP_ACT_KILL_THREAD: 7,
  SCMP_ACT_KILL: 7,
  SCMP_ACT_TRAP: 6,
  SCMP_ACT_ERRNO: 5,
  SCMP_ACT_NOTIFY: 4,
  SCMP_ACT_TRACE: 3,
  SCMP_ACT_LOG: 2,
  SCMP_ACT_ALLOW: 1,
};

/** Positive when `a` is more restrictive than `b`, as the kernel orders actions. */
export function compareRestrictiveness(a: SeccompAction, b: SeccompAction): number {
  return RANK[a] - RANK[b];
}

/** True when the call does not run as asked (everything but LOG and ALLOW). */
export function isBlockingSeccompAction(action: SeccompAction): boolean {
  return action !== 'SCMP_ACT_LOG' && action !== 'SCMP_ACT_ALLOW';
}

/** Actions the kernel audits only when the filter carries SECCOMP_FILTER_FLAG_LOG. */
export function isAuditedOnlyWithLogFlag(action: SeccompAction): boolean {
  return (
    action === 'SCMP_ACT_TRAP' ||
    action === 'SCMP_ACT_ERRNO' ||
    action === 'SCMP_ACT_TRACE' ||
    action === 'SCMP_ACT_NOTIFY'
  );
}

/** Actions whose `errnoRet` means something (the errno, or TRACE's message value). */
export function takesErrnoRet(action: SeccompAction): boolean {
  return action === 'SCMP_ACT_ERRNO' || action === 'SCMP_ACT_TRACE';
}

/** EPERM: what runc returns for SCMP_ACT_ERRNO when no errno is given. */
export const DEFAULT_ERRNO_RET = 1;
