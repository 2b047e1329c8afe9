import { readFileSync } from 'node:fs';
import { arch, hostname, release } from 'node:os';

export interface HostIdentity {
  hostname: string;
  bootId: string;
  kernel: string;
  arch: string;
}

/** Every source must use this boot id, so kmsg and journald copies of a record share a key. */
export function readBootId(path = '/proc/sys/kernel/random/boot_id'): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return 'unknown-boot';
  }
}

const UNAME_ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', ia32: 'i386' };

export function readHostIdentity(name?: string): HostIdentity {
  return {
    hostname: name ?? hostname(),
    bootId: readBootId(),
    kernel: release(),
    arch: UNAME_ARCH[arch()] ?? arch(),
  };
}
