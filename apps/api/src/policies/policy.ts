import type { SeccompProfile } from '@sandtrap/seccomp-profile';

/** Policy names become profile file names on hosts: keep them to safe characters. */
export const POLICY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export interface Policy {
  id: string;
  name: string;
  description: string | null;
  createdAt: string;
  createdBy: string;
  latestVersion: number;
  sha256: string;
  updatedAt: string;
}

export interface PolicyVersion {
  policy: string;
  version: number;
  sha256: string;
  author: string;
  message: string | null;
  createdAt: string;
  profile: SeccompProfile;
}

export type PolicyVersionSummary = Omit<PolicyVersion, 'profile' | 'policy'>;
