export {
  ARCHES,
  archFromAuditArch,
  archFromScmp,
  auditArchOf,
  isArch,
  scmpArchOf,
  type Arch,
  type ArchName,
} from './arch.js';
export {
  X32_SYSCALL_BIT,
  isSyscallOnAnyArch,
  resolveSyscall,
  syscallNames,
  syscallNumber,
} from './syscall-table.js';
export {
  SECCOMP_ACTIONS,
  SECCOMP_RET_ACTION_FULL,
  actionFromCode,
  codeOfAction,
  type SeccompAction,
  type SeccompActionInfo,
} from './seccomp-action.js';
export { errnoName, errnoNumber, signalName, signalNumber } from './errno-signal.js';
