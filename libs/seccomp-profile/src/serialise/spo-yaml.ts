import { stringify } from 'yaml';
import type { SeccompProfile } from '../model/seccomp-profile.js';
import { SPO_API_GROUP } from '../parse/decode-profile-input.js';
import { ProfileError } from '../parse/profile-error.js';
import { toOciObject } from './oci-json.js';

export interface SpoYamlOptions {
  namespace?: string;
  /** Defaults to `v1beta1`, the version the operator serves and stores. */
  apiVersion?: string;
  annotations?: Record<string, string>;
}

/** Kubernetes object names: DNS-1123 subdomain. */
const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** The profile as a security-profiles-operator `SeccompProfile` resource. */
export function toSpoYaml(profile: SeccompProfile, name: string, options: SpoYamlOptions = {}): string {
  if (!NAME.test(name)) {
    throw new ProfileError('PROFILE_FORMAT', `${JSON.stringify(name)} is not a valid Kubernetes object name`);
  }
  const metadata: Record<string, unknown> = { name };
  if (options.namespace !== undefined) metadata.namespace = options.namespace;
  if (options.annotations !== undefined) metadata.annotations = options.annotations;
  const resource = {
    apiVersion: `${SPO_API_GROUP}/${options.apiVersion ?? 'v1beta1'}`,
    kind: 'SeccompProfile',
    metadata,
    spec: toOciObject(profile),
  };
  return stringify(resource, { lineWidth: 0 });
}
