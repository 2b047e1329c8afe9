import type { SeccompProfile } from '../model/seccomp-profile.js';
import { compatArchesOf } from './compat-arches.js';

/**
 * Architectures (SCMP names) a profile's filter covers: `architectures` plus every `archMap`
 * group. Docker only applies the archMap group of the host's native arch; a caller evaluating
 * `aarch64` is on an aarch64 (or arm) host, so the group that contains the arch is the one that
 * applies and every group can be taken. Empty means the runtime's native arch only, which the
 * evaluator treats as "whatever arch is asked".
 */
export function profileArches(profile: SeccompProfile): string[] {
  const arches = new Set(profile.architectures ?? []);
  for (const entry of profile.archMap ?? []) {
    arches.add(entry.architecture);
    for (const sub of entry.subArchitectures) arches.add(sub);
  }
  return [...arches];
}

/** Arch names used to check syscall names when a profile lists none. */
export const USUAL_ARCHES: readonly string[] = ['SCMP_ARCH_X86_64', 'SCMP_ARCH_AARCH64'].flatMap((arch) => [
  arch,
  ...compatArchesOf(arch),
]);
