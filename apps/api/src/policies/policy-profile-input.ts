import {
  lintProfile,
  profileSha256,
  validateProfile,
  type ProfileWarning,
  type SeccompProfile,
} from '@sandtrap/seccomp-profile';
import { ValidationFailedError } from '../common/domain-error.js';

export interface CheckedProfile {
  profile: SeccompProfile;
  sha256: string;
  warnings: ProfileWarning[];
  /** The SPO resource's metadata.name, when the profile came as SPO YAML. */
  spoName?: string;
}

/**
 * A profile from a request body: an OCI JSON object, or a string holding OCI JSON or the
 * security-profiles-operator's SeccompProfile YAML. Errors point into the body (`/profile/...`).
 */
export function checkProfileInput(input: unknown, pointer = '/profile'): CheckedProfile {
  if (input === undefined || input === null) {
    throw new ValidationFailedError([{ pointer, message: 'a profile is required (OCI JSON or SPO YAML)' }]);
  }
  const result = validateProfile(input, { format: 'auto' });
  if (!result.ok) {
    throw new ValidationFailedError(
      result.errors.map((e) => ({ pointer: `${pointer}${e.pointer}`, message: e.message })),
      'The profile is not valid',
    );
  }
  const warnings = [...result.warnings, ...lintProfile(result.profile)];
  const unique = new Map(warnings.map((w) => [`${w.code}${w.pointer}${w.message}`, w]));
  return {
    profile: result.profile,
    sha256: profileSha256(result.profile),
    warnings: [...unique.values()],
    spoName: result.name,
  };
}
