import { fileURLToPath } from 'node:url';

/**
 * The sensor program, found relative to this module so it works from src/ (tests, tsx) and
 * from dist/ alike: both are one level below apps/agent, and the program lives in
 * apps/agent/bpf/.
 */
export const SENSOR_PROGRAM_PATH = fileURLToPath(new URL('../../bpf/seccomp-sensor.bt', import.meta.url));

/** Node's process.arch to the syscall arch names of libs/syscalls. */
const NODE_TO_SYSCALL_ARCH: Readonly<Record<string, string>> = {
  x64: 'x86_64',
  ia32: 'i386',
  arm64: 'aarch64',
  arm: 'arm',
  riscv64: 'riscv64',
  ppc64: 'ppc64le',
  s390x: 's390x',
  loong64: 'loongarch64',
  mips64el: 'mips64',
};

/** The syscall table native tasks of this host use (the sensor cannot tell compat tasks apart). */
export function hostSyscallArch(nodeArch: string = process.arch): string {
  return NODE_TO_SYSCALL_ARCH[nodeArch] ?? nodeArch;
}

/**
 * Wall-clock milliseconds at which CLOCK_MONOTONIC read zero. bpftrace's `nsecs` and Node's
 * process.hrtime both read CLOCK_MONOTONIC, so this turns sensor timestamps into wall time.
 * (/proc/stat btime is in whole seconds and counts suspend time; this is neither.)
 */
export function monotonicZeroMs(): number {
  return Date.now() - Number(process.hrtime.bigint()) / 1e6;
}
