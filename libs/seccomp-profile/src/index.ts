/**
 * @sandtrap/seccomp-profile: the OCI seccomp profile (with Docker's and the
 * security-profiles-operator's forms) — parse, validate, evaluate like the kernel, lint, diff,
 * merge, generate from observed events, and serialise.
 *
 * Architectures are accepted in either spelling (`x86_64` or `SCMP_ARCH_X86_64`); results use the
 * libs/syscalls spelling (`x86_64`), as SecurityEvents do. Syscall tables come from
 * @sandtrap/syscalls.
 */

// Model
export {
  MAX_ARG_INDEX,
  SECCOMP_ACTIONS,
  SECCOMP_FLAGS,
  SECCOMP_OPERATORS,
  type LintCode,
  type ProfileIssue,
  type ProfileWarning,
  type SeccompAction,
  type SeccompArchMapEntry,
  type SeccompArg,
  type SeccompFilterCondition,
  type SeccompFlag,
  type SeccompOperator,
  type SeccompProfile,
  type SeccompRule,
} from './model/seccomp-profile.js';
export {
  compareRestrictiveness,
  DEFAULT_ERRNO_RET,
  EVENT_ACTION_OF,
  isAuditedOnlyWithLogFlag,
  isBlockingSeccompAction,
  toEventAction,
} from './model/seccomp-action.js';
export { COMPAT_ARCHES, compatArchesOf } from './arch/compat-arches.js';
export { profileArches } from './arch/profile-arches.js';

// Parsing and validation
export {
  DEFAULT_MAX_PROFILE_BYTES,
  DEFAULT_MAX_PROFILE_DEPTH,
  type DecodeOptions as ParseOptions,
  type ProfileFormat,
} from './parse/decode-profile-input.js';
export { ProfileError, type ProfileErrorCode } from './parse/profile-error.js';
export { parseProfile, validateProfile, type ValidationResult } from './parse/validate-profile.js';

// Evaluation and lint
export {
  evaluate,
  type Evaluation,
  type EvaluationInput,
  type EvaluationReason,
  type RulePrecedence,
} from './evaluate/evaluate-profile.js';
export { EvaluationError } from './evaluate/evaluation-error.js';
export { lintProfile } from './lint/lint-profile.js';

// Comparison and transformation
export {
  diffProfiles,
  type DiffOptions,
  type ProfileDiffEntry,
  type SyscallOutcome,
} from './compare/diff-profiles.js';
export { mergeProfiles, type MergedProfile, type MergeOptions } from './compare/merge-profiles.js';
export { toLogMode } from './compare/log-mode.js';
export {
  generateProfile,
  type GeneratedProfile,
  type GenerateOptions,
  type ObservedSyscallEvent,
} from './generate/generate-profile.js';
export { defaultTemplate } from './template/default-template.js';
export { BLOCKED_FAMILIES, type BlockedFamily } from './template/blocked-families.js';

// Serialisation
export { canonicalJson, profileSha256, toOciJson, toOciObject } from './serialise/oci-json.js';
export { toSpoYaml, type SpoYamlOptions } from './serialise/spo-yaml.js';
