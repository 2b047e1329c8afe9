import { compatArchesOf } from '../arch/compat-arches.js';
import { normaliseArch, scmpOfArch, syscallNameOf } from '../arch/syscall-catalog.js';
import { DEFAULT_ERRNO_RET } from '../model/seccomp-action.js';
import type { SeccompAction, SeccompFlag, SeccompProfile } from '../model/seccomp-profile.js';

/** The part of a SecurityEvent generation reads. */
export interface ObservedSyscallEvent {
  syscall?: { arch?: string; name?: string; nr?: number };
}

export interface GenerateOptions {
  /** Default SCMP_ACT_ERRNO. */
  defaultAction?: SeccompAction;
  /** Default EPERM when defaultAction is ERRNO. */
  defaultErrnoRet?: number;
  /** Only events of these arches (either spelling); default every arch seen. */
  arches?: readonly string[];
  /** Add each seen arch's compat ABIs (x86_64 -> x86, x32). Default true. */
  includeCompatArches?: boolean;
  flags?: SeccompFlag[];
  /** Syscalls to allow even if not observed (a runtime's own start-up calls, say). */
  alwaysAllow?: readonly string[];
}

export interface GeneratedProfile {
  profile: SeccompProfile;
  /** Events left out: no syscall, an unknown arch, or a number unknown in that arch's table. */
  skipped: number;
}

/**
 * A minimal allow-list from observed calls: the default blocks (ERRNO EPERM unless configured),
 * one ALLOW rule names every syscall seen (sorted), and the architectures are those seen plus
 * their compat ABIs, so the same container started on another ABI meets the same rules.
 */
export function generateProfile(
  events: Iterable<ObservedSyscallEvent>,
  options: GenerateOptions = {},
): GeneratedProfile {
  const wanted = options.arches?.map((arch) => normaliseArch(arch) ?? arch);
  const arches = new Set<string>();
  const names = new Set<string>(options.alwaysAllow ?? []);
  let skipped = 0;
  for (const event of events) {
    // Events come from the wire: anything may be missing or of the wrong type.
    const rawArch: unknown = event?.syscall?.arch;
    const arch = typeof rawArch === 'string' ? normaliseArch(rawArch) : undefined;
    const scmp = arch === undefined ? undefined : scmpOfArch(arch);
    if (arch === undefined || scmp === undefined || (wanted && !wanted.includes(arch))) {
      skipped++;
      continue;
    }
    const { name, nr } = event.syscall ?? {};
    const resolved = typeof name === 'string' && name.length > 0 ? name : nrName(arch, nr);
    if (resolved === undefined) {
      skipped++;
      continue;
    }
    arches.add(scmp);
    names.add(resolved);
  }
  const architectures = [...arches].sort();
  if (options.includeCompatArches ?? true) {
    for (const arch of [...architectures]) {
      for (const compat of compatArchesOf(arch))
        if (!architectures.includes(compat)) architectures.push(compat);
    }
  }
  const defaultAction = options.defaultAction ?? 'SCMP_ACT_ERRNO';
  const profile: SeccompProfile = { defaultAction };
  if (defaultAction === 'SCMP_ACT_ERRNO')
    profile.defaultErrnoRet = options.defaultErrnoRet ?? DEFAULT_ERRNO_RET;
  if (architectures.length > 0) profile.architectures = architectures;
  if (options.flags && options.flags.length > 0) profile.flags = [...options.flags];
  profile.syscalls = names.size > 0 ? [{ names: [...names].sort(), action: 'SCMP_ACT_ALLOW' }] : [];
  return { profile, skipped };
}

function nrName(arch: string, nr: unknown): string | undefined {
  return typeof nr === 'number' && Number.isInteger(nr) ? syscallNameOf(arch, nr) : undefined;
}
