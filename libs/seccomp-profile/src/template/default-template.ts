import { normaliseArch, syscallNamesOf } from '../arch/syscall-catalog.js';
import type { SeccompProfile, SeccompRule } from '../model/seccomp-profile.js';
import { BLOCKED_FAMILIES } from './blocked-families.js';

const TEMPLATE_ARCHES = [
  'SCMP_ARCH_X86_64',
  'SCMP_ARCH_X86',
  'SCMP_ARCH_X32',
  'SCMP_ARCH_AARCH64',
  'SCMP_ARCH_ARM',
];

/** EPERM and ENOSYS as x86 and arm number them (the template's arches; mips differs). */
const EPERM = 1;
const ENOSYS = 38;

/**
 * Sandtrap's starting profile: every syscall libs/syscalls knows on x86_64, aarch64 and their
 * compat ABIs is allowed, except the dangerous families in BLOCKED_FAMILIES, which get EPERM
 * with their reason as comment. The default is ENOSYS, so a syscall newer than the tables looks
 * unimplemented and libc falls back to an older call. SECCOMP_FILTER_FLAG_LOG makes every
 * denial audited, which is what Sandtrap collects.
 */
export function defaultTemplate(): SeccompProfile {
  const arches = TEMPLATE_ARCHES.map((scmp) => normaliseArch(scmp)).filter((arch) => arch !== undefined);
  const known = new Set(arches.flatMap((arch) => [...syscallNamesOf(arch)]));
  const blocked = new Set(BLOCKED_FAMILIES.flatMap((family) => family.names));
  const allowed = [...known].filter((name) => !blocked.has(name)).sort();
  const syscalls: SeccompRule[] = [
    {
      names: allowed,
      action: 'SCMP_ACT_ALLOW',
      comment: 'everything a container usually needs: all known syscalls but the blocked families below',
    },
  ];
  for (const family of BLOCKED_FAMILIES) {
    const names = family.names.filter((name) => known.has(name));
    if (names.length === 0) continue;
    syscalls.push({
      names: [...names],
      action: 'SCMP_ACT_ERRNO',
      errnoRet: EPERM,
      comment: `${family.family}: ${family.reason}`,
    });
  }
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: ENOSYS,
    architectures: [...TEMPLATE_ARCHES],
    flags: ['SECCOMP_FILTER_FLAG_LOG'],
    syscalls,
  };
}
