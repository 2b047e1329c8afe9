import { createHash } from 'node:crypto';
import type { SeccompArg, SeccompProfile, SeccompRule } from '../model/seccomp-profile.js';

/**
 * The profile as a plain object in OCI field order, without undefined fields, so the JSON reads
 * like the profiles runtimes ship.
 */
export function toOciObject(profile: SeccompProfile): SeccompProfile {
  const out: SeccompProfile = { defaultAction: profile.defaultAction };
  copy(profile, out, [
    'defaultErrnoRet',
    'architectures',
    'archMap',
    'flags',
    'listenerPath',
    'listenerMetadata',
  ]);
  if (profile.syscalls) out.syscalls = profile.syscalls.map(ruleObject);
  return structuredClone(out);
}

/** OCI JSON text (runtime-spec `linux.seccomp`, Docker's `--security-opt seccomp=`). */
export function toOciJson(profile: SeccompProfile, options: { indent?: number } = {}): string {
  return `${JSON.stringify(toOciObject(profile), null, options.indent ?? 2)}\n`;
}

/**
 * sha256 (hex) of the profile's canonical JSON: object keys sorted, no white space, undefined
 * fields left out. Equal profiles hash equally whatever their key order or source format.
 */
export function profileSha256(profile: SeccompProfile): string {
  return createHash('sha256')
    .update(canonicalJson(toOciObject(profile)))
    .digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function ruleObject(rule: SeccompRule): SeccompRule {
  const out: SeccompRule = { names: [...rule.names], action: rule.action };
  copy(rule, out, ['errnoRet']);
  if (rule.args) out.args = rule.args.map(argObject);
  copy(rule, out, ['comment', 'includes', 'excludes']);
  return out;
}

function argObject(arg: SeccompArg): SeccompArg {
  return arg.valueTwo === undefined
    ? { index: arg.index, value: arg.value, op: arg.op }
    : { index: arg.index, value: arg.value, valueTwo: arg.valueTwo, op: arg.op };
}

function copy<T extends object>(from: T, to: T, keys: (keyof T)[]): void {
  for (const key of keys) if (from[key] !== undefined) to[key] = from[key];
}
