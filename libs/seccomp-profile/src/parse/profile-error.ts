import type { ProfileIssue } from '../model/seccomp-profile.js';

export type ProfileErrorCode =
  'PROFILE_TOO_LARGE' | 'PROFILE_TOO_DEEP' | 'PROFILE_SYNTAX' | 'PROFILE_FORMAT' | 'PROFILE_INVALID';

/** Thrown by `parseProfile` (and the serialisers) when input is not a usable profile. */
export class ProfileError extends Error {
  override readonly name = 'ProfileError';

  constructor(
    readonly code: ProfileErrorCode,
    message: string,
    readonly issues: ProfileIssue[] = [{ pointer: '', message }],
  ) {
    super(message);
  }
}
