import { LIBSECCOMP_ARCHES } from '../arch/compat-arches.js';
import { profileArches, USUAL_ARCHES } from '../arch/profile-arches.js';
import { hasSyscallTable, isKnownSyscall, normaliseArch } from '../arch/syscall-catalog.js';
import { lintProfile } from '../lint/lint-profile.js';
import { takesErrnoRet } from '../model/seccomp-action.js';
import type { ProfileIssue, ProfileWarning, SeccompProfile } from '../model/seccomp-profile.js';
import { conditionKey } from '../evaluate/rule-conditions.js';
import { argsSubsetOf, sameOutcome } from '../lint/rule-overlap.js';
import { decodeProfileInput, type DecodeOptions } from './decode-profile-input.js';
import { ProfileError } from './profile-error.js';
import { readProfileShape } from './read-profile-shape.js';

export type ValidationResult =
  | { ok: true; profile: SeccompProfile; warnings: ProfileWarning[]; format: 'oci' | 'spo'; name?: string }
  | { ok: false; errors: ProfileIssue[] };

/** Fields a SeccompProfile resource's spec may carry beyond the OCI ones. */
const SPO_SPEC_KEYS = ['baseProfileName', 'disabled'];

/**
 * Checks a profile (JSON or SPO YAML text, or an object) and returns every error found, each with
 * the JSON pointer of the offending value in the input, or the profile with its lint warnings.
 * Never throws.
 */
export function validateProfile(input: unknown, options: DecodeOptions = {}): ValidationResult {
  let decoded;
  try {
    decoded = decodeProfileInput(input, options);
  } catch (error) {
    if (error instanceof ProfileError) return { ok: false, errors: error.issues };
    throw error;
  }
  const extra = decoded.format === 'spo' ? SPO_SPEC_KEYS : [];
  const { profile, issues } = readProfileShape(decoded.body, decoded.pointerPrefix, extra);
  if (profile) issues.push(...checkSemantics(profile, decoded.pointerPrefix));
  if (!profile || issues.length > 0) return { ok: false, errors: capped(issues) };
  const result: ValidationResult = {
    ok: true,
    profile,
    warnings: lintProfile(profile),
    format: decoded.format,
  };
  if (decoded.spoName !== undefined) result.name = decoded.spoName;
  return result;
}

/** `validateProfile`, throwing a ProfileError (code PROFILE_INVALID, or the decoding code). */
export function parseProfile(input: unknown, options: DecodeOptions = {}): SeccompProfile {
  const result = validateProfile(input, options);
  if (result.ok) return result.profile;
  const first = result.errors[0];
  const summary = `${result.errors.length} error(s); first at ${first.pointer || '/'}: ${first.message}`;
  throw new ProfileError(
    codeOf(input, options, result.errors),
    `invalid seccomp profile: ${summary}`,
    result.errors,
  );
}

function codeOf(input: unknown, options: DecodeOptions, errors: ProfileIssue[]): ProfileError['code'] {
  try {
    decodeProfileInput(input, options);
  } catch (error) {
    if (error instanceof ProfileError) return error.code;
  }
  return errors.length > 0 ? 'PROFILE_INVALID' : 'PROFILE_FORMAT';
}

function checkSemantics(profile: SeccompProfile, prefix: string): ProfileIssue[] {
  const issues: ProfileIssue[] = [];
  const issue = (pointer: string, message: string) => issues.push({ pointer: prefix + pointer, message });
  (profile.architectures ?? []).forEach((arch, i) => {
    if (!isProfileArch(arch)) issue(`/architectures/${i}`, `unknown architecture ${arch}`);
  });
  (profile.archMap ?? []).forEach((entry, i) => {
    if (!isProfileArch(entry.architecture)) {
      issue(`/archMap/${i}/architecture`, `unknown architecture ${entry.architecture}`);
    }
    entry.subArchitectures.forEach((sub, j) => {
      if (!isProfileArch(sub)) issue(`/archMap/${i}/subArchitectures/${j}`, `unknown architecture ${sub}`);
    });
  });
  if (profile.defaultErrnoRet !== undefined && !takesErrnoRet(profile.defaultAction)) {
    issue(
      '/defaultErrnoRet',
      `defaultErrnoRet needs defaultAction SCMP_ACT_ERRNO, not ${profile.defaultAction}`,
    );
  }
  const usesNotify =
    profile.defaultAction === 'SCMP_ACT_NOTIFY' ||
    (profile.syscalls ?? []).some((r) => r.action === 'SCMP_ACT_NOTIFY');
  if (usesNotify && !profile.listenerPath) {
    issue('/listenerPath', 'SCMP_ACT_NOTIFY needs a listenerPath to hand the notification fd to');
  }
  // Unknown arch names are reported above; they neither block nor widen the name check.
  const raw = profileArches(profile);
  const listed = raw.filter(isProfileArch);
  const known = listed
    .map((arch) => normaliseArch(arch))
    .filter((arch): arch is string => arch !== undefined && hasSyscallTable(arch));
  // A listed arch without a table in libs/syscalls (s390, mips n32 ...) might know any name.
  const checkable = known.length === listed.length && (raw.length === 0 || listed.length > 0);
  const checkArches =
    raw.length > 0 ? known : USUAL_ARCHES.map((a) => normaliseArch(a)).filter((a) => a !== undefined);
  const seen = new Map<string, { pointer: string; action: string; errnoRet: number | undefined }>();
  (profile.syscalls ?? []).forEach((rule, i) => {
    if (rule.errnoRet !== undefined && !takesErrnoRet(rule.action)) {
      issue(
        `/syscalls/${i}/errnoRet`,
        `errnoRet needs action SCMP_ACT_ERRNO (or SCMP_ACT_TRACE), not ${rule.action}`,
      );
    }
    const conditions = conditionKey(rule);
    rule.names.forEach((name, j) => {
      if (checkable && name.length > 0 && !checkArches.some((arch) => isKnownSyscall(arch, name))) {
        issue(`/syscalls/${i}/names/${j}`, `syscall ${name} is unknown on ${describeArches(known)}`);
      }
      const key = `${name}\u0000${conditions}`;
      const earlier = seen.get(key);
      const pointer = `/syscalls/${i}/names/${j}`;
      if (!earlier) {
        seen.set(key, { pointer, action: rule.action, errnoRet: rule.errnoRet });
      } else if (earlier.action === rule.action && earlier.errnoRet === rule.errnoRet) {
        issue(pointer, `duplicate rule for ${name}: same conditions as ${prefix}${earlier.pointer}`);
      } else {
        issue(
          pointer,
          `conflicting rule for ${name}: ${rule.action} with the same conditions as ${earlier.action} at ${prefix}${earlier.pointer}`,
        );
      }
    });
  });
  issues.push(...prefixConflicts(profile, prefix));
  return issues;
}

/** Most errors a result carries: a hostile object with a million bad keys gets a short answer. */
export const MAX_REPORTED_ERRORS = 200;

function capped(issues: ProfileIssue[]): ProfileIssue[] {
  if (issues.length <= MAX_REPORTED_ERRORS) return issues;
  const rest = issues.length - MAX_REPORTED_ERRORS;
  return [...issues.slice(0, MAX_REPORTED_ERRORS), { pointer: '', message: `and ${rest} more errors` }];
}

/**
 * libseccomp refuses (EEXIST) a conditional rule whose conditions extend another conditional
 * rule's for the same syscall with a different action: runc then fails to start the container.
 */
function prefixConflicts(profile: SeccompProfile, prefix: string): ProfileIssue[] {
  const rules = profile.syscalls ?? [];
  const issues: ProfileIssue[] = [];
  rules.forEach((rule, i) => {
    const args = rule.args ?? [];
    if (args.length === 0) return;
    rules.forEach((other, k) => {
      const otherArgs = other.args ?? [];
      if (k === i || otherArgs.length === 0 || otherArgs.length >= args.length || sameOutcome(rule, other))
        return;
      if (conditionKey({ ...rule, args: [] }) !== conditionKey({ ...other, args: [] })) return;
      if (!argsSubsetOf(other, rule)) return;
      const shared = rule.names.filter((name) => other.names.includes(name));
      if (shared.length === 0) return;
      issues.push({
        pointer: `${prefix}/syscalls/${i}/args`,
        message: `conflicting rule for ${shared.join(', ')}: extends the conditions of ${prefix}/syscalls/${k} with another action (${rule.action} vs ${other.action}); libseccomp refuses it (EEXIST)`,
      });
    });
  });
  return issues;
}

/** A libseccomp arch name; libs/syscalls names (`x86_64`) are accepted too. */
function isProfileArch(arch: string): boolean {
  return LIBSECCOMP_ARCHES.has(arch) || normaliseArch(arch) !== undefined;
}

function describeArches(arches: string[]): string {
  return arches.length > 0 ? `every listed architecture (${arches.join(', ')})` : 'any usual architecture';
}
