/**
 * Syscall families the default template blocks, each with the reason that goes into the rule's
 * comment. Written for Sandtrap from the kernel's documentation of each call; the list follows
 * the same principle as container runtimes' defaults: a container must not change the host
 * kernel, its clock, its mounts or its namespaces, nor read other processes' memory.
 */
export interface BlockedFamily {
  family: string;
  reason: string;
  names: readonly string[];
}

export const BLOCKED_FAMILIES: readonly BlockedFamily[] = [
  {
    family: 'kernel-modules',
    reason: 'loads or unloads code into the host kernel',
    names: [
      'init_module',
      'finit_module',
      'delete_module',
      'create_module',
      'get_kernel_syms',
      'query_module',
    ],
  },
  {
    family: 'kexec',
    reason: 'replaces the running host kernel',
    names: ['kexec_load', 'kexec_file_load'],
  },
  {
    family: 'mounts',
    reason: 'changes the mount tree; a container gets its mounts from the runtime',
    names: [
      'mount',
      'umount',
      'umount2',
      'pivot_root',
      'fsopen',
      'fsconfig',
      'fsmount',
      'fspick',
      'move_mount',
      'open_tree',
      'mount_setattr',
    ],
  },
  {
    family: 'namespaces',
    reason: 'enters or creates namespaces, the first step of most container escapes',
    names: ['unshare', 'setns'],
  },
  {
    family: 'bpf',
    reason: 'loads programs into the kernel and reads kernel memory through maps',
    names: ['bpf'],
  },
  {
    family: 'perf',
    reason: 'exposes kernel and other processes\u2019 activity, and has a long record of kernel bugs',
    names: ['perf_event_open'],
  },
  {
    family: 'keyring',
    reason: 'the kernel keyring is not namespaced: keys leak between containers',
    names: ['keyctl', 'add_key', 'request_key'],
  },
  {
    family: 'process-memory',
    reason: 'reads or writes other processes\u2019 memory and registers',
    names: ['ptrace', 'process_vm_readv', 'process_vm_writev', 'process_madvise'],
  },
  {
    family: 'reboot',
    reason: 'reboots or halts the host',
    names: ['reboot'],
  },
  {
    family: 'swap',
    reason: 'changes the host\u2019s swap devices',
    names: ['swapon', 'swapoff'],
  },
  {
    family: 'clock',
    reason: 'the clock is not namespaced: setting it changes the host\u2019s time',
    names: [
      'settimeofday',
      'clock_settime',
      'clock_settime64',
      'stime',
      'adjtimex',
      'clock_adjtime',
      'clock_adjtime64',
    ],
  },
  {
    family: 'file-handles',
    reason: 'open_by_handle_at opens any file of a mounted filesystem, bypassing the container\u2019s root',
    names: ['open_by_handle_at', 'name_to_handle_at'],
  },
  {
    family: 'userfaultfd',
    reason: 'lets a process stall the kernel inside a copy from user memory, a common exploit primitive',
    names: ['userfaultfd'],
  },
  {
    family: 'io-uring',
    reason: 'bypasses seccomp for the operations it submits and has been a frequent exploit target',
    names: ['io_uring_setup', 'io_uring_enter', 'io_uring_register'],
  },
  {
    family: 'accounting-quota',
    reason: 'host-wide process accounting and disk quotas',
    names: ['acct', 'quotactl', 'quotactl_fd'],
  },
  {
    family: 'io-ports',
    reason: 'direct hardware I/O port access',
    names: ['iopl', 'ioperm'],
  },
  {
    family: 'kernel-log',
    reason: 'reads or clears the host kernel\u2019s log',
    names: ['syslog'],
  },
  {
    family: 'obsolete',
    reason: 'obsolete interfaces no program in a container needs, kept out to shrink the attack surface',
    names: ['_sysctl', 'uselib', 'ustat', 'nfsservctl', 'vm86', 'vm86old', 'lookup_dcookie', 'sysfs'],
  },
];
