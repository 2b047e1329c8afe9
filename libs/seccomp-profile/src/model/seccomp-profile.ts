/**
 * The OCI seccomp profile (runtime-spec `linux.seccomp`) with Docker's extensions (`archMap`,
 * per-rule `comment`, `includes`/`excludes`). Field names are those of the JSON on disk.
 */

export const SECCOMP_ACTIONS = [
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_KILL',
  'SCMP_ACT_TRAP',
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_NOTIFY',
  'SCMP_ACT_TRACE',
  'SCMP_ACT_LOG',
  'SCMP_ACT_ALLOW',
] as const;
export type SeccompAction = (typeof SECCOMP_ACTIONS)[number];

export const SECCOMP_OPERATORS = [
  'SCMP_CMP_NE',
  'SCMP_CMP_LT',
  'SCMP_CMP_LE',
  'SCMP_CMP_EQ',
  'SCMP_CMP_GE',
  'SCMP_CMP_GT',
  'SCMP_CMP_MASKED_EQ',
] as const;
export type SeccompOperator = (typeof SECCOMP_OPERATORS)[number];

export const SECCOMP_FLAGS = [
  'SECCOMP_FILTER_FLAG_TSYNC',
  'SECCOMP_FILTER_FLAG_LOG',
  'SECCOMP_FILTER_FLAG_SPEC_ALLOW',
  'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV',
] as const;
export type SeccompFlag = (typeof SECCOMP_FLAGS)[number];

/** Highest syscall argument index (the kernel passes six arguments). */
export const MAX_ARG_INDEX = 5;

/**
 * One argument comparison. `value` and `valueTwo` are unsigned 64-bit in the kernel; JSON numbers
 * above 2^53 lose precision, so evaluation converts them with BigInt and masks to 64 bits.
 * For SCMP_CMP_MASKED_EQ `value` is the mask and `valueTwo` the datum: (arg & value) == valueTwo.
 */
export interface SeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: SeccompOperator;
}

/** Docker's conditions on a rule: all `includes` must hold and no `excludes` may hold. */
export interface SeccompFilterCondition {
  caps?: string[];
  arches?: string[];
  /** `major.minor` (Docker): the kernel must be at least this version. */
  minKernel?: string;
}

export interface SeccompRule {
  names: string[];
  action: SeccompAction;
  errnoRet?: number;
  args?: SeccompArg[];
  comment?: string;
  includes?: SeccompFilterCondition;
  excludes?: SeccompFilterCondition;
}

export interface SeccompArchMapEntry {
  architecture: string;
  subArchitectures: string[];
}

export interface SeccompProfile {
  defaultAction: SeccompAction;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: SeccompArchMapEntry[];
  flags?: SeccompFlag[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: SeccompRule[];
}

/** A problem found in a profile, located by a JSON pointer (RFC 6901) into the OCI JSON form. */
export interface ProfileIssue {
  pointer: string;
  message: string;
}

/** A lint finding: valid profile, but probably not what its author meant. */
export interface ProfileWarning extends ProfileIssue {
  code: LintCode;
}

export type LintCode =
  | 'unaudited-block'
  | 'missing-compat-arch'
  | 'unreachable-rule'
  | 'contradictory-args'
  | 'overlapping-rules'
  | 'ambiguous-kill'
  | 'unknown-syscall-on-arch';
