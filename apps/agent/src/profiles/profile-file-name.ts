/** Only these characters, no leading dot: a policy name can never leave the profiles folder. */
const SAFE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;

export class UnsafeProfileNameError extends Error {
  readonly code = 'unsafe_profile_name';
  constructor(name: string) {
    super(
      `policy name ${JSON.stringify(name.slice(0, 100))} is not a safe file name ([A-Za-z0-9._-], no leading dot)`,
    );
    this.name = 'UnsafeProfileNameError';
  }
}

/** `<policy>.json`, or a typed error for names that could traverse paths or hide files. */
export function profileFileName(policy: string): string {
  if (!SAFE_NAME.test(policy)) throw new UnsafeProfileNameError(policy);
  return policy.endsWith('.json') ? policy : `${policy}.json`;
}

/** Bytes written for a profile: a JSON document as is, anything else as pretty JSON. */
export function profileContent(profile: unknown): string {
  if (typeof profile === 'string') return profile.endsWith('\n') ? profile : `${profile}\n`;
  return `${JSON.stringify(profile, null, 2)}\n`;
}
