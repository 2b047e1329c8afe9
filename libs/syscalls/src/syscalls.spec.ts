import { describe, expect, it } from 'vitest';
import {
  ARCHES,
  actionFromCode,
  archFromAuditArch,
  archFromScmp,
  auditArchOf,
  errnoName,
  errnoNumber,
  isSyscallOnAnyArch,
  resolveSyscall,
  scmpArchOf,
  signalName,
  signalNumber,
  syscallNames,
  syscallNumber,
} from './index.js';

describe('syscall tables', () => {
  // Known pairs from each arch's kernel table (arch/*/entry/syscalls, asm-generic/unistd.h).
  const known: [string, number, string][] = [
    ['x86_64', 41, 'socket'],
    ['x86_64', 0, 'read'],
    ['x86_64', 59, 'execve'],
    ['x86_64', 110, 'getppid'],
    ['aarch64', 198, 'socket'],
    ['aarch64', 221, 'execve'],
    ['i386', 102, 'socketcall'],
    ['i386', 11, 'execve'],
    ['x32', 0x40000000 | 41, 'socket'],
    ['arm', 281, 'socket'],
    ['arm', 0xf0005, 'set_tls'],
    ['riscv64', 198, 'socket'],
    ['riscv64', 259, 'riscv_flush_icache'],
    ['ppc64le', 326, 'socket'],
    ['s390x', 359, 'socket'],
    ['loongarch64', 198, 'socket'],
    ['loongarch64', 435, 'clone3'],
    ['mips64', 5040, 'socket'],
    ['mips64', 5000, 'read'],
  ];
  it.each(known)('%s %i is %s, both ways', (arch, nr, name) => {
    expect(resolveSyscall(arch, nr)).toBe(name);
    expect(syscallNumber(arch, name)).toBe(nr);
  });

  it('has a non-trivial table for every arch', () => {
    for (const arch of ARCHES) expect(syscallNames(arch).length).toBeGreaterThan(250);
  });

  it('accepts x32 numbers without their bit', () => {
    expect(resolveSyscall('x32', 41)).toBe('socket');
  });

  it('uses the arch given, never the host', () => {
    expect(resolveSyscall('aarch64', 41)).not.toBe('socket');
    expect(resolveSyscall('i386', 41)).toBe('dup');
  });

  it('knows loongarch64 has no fstat or open (asm-generic without NEW_STAT)', () => {
    expect(syscallNumber('loongarch64', 'open')).toBeUndefined();
    expect(syscallNumber('x86_64', 'open')).toBe(2);
  });

  it('shares tables with big-endian siblings', () => {
    expect(resolveSyscall('ppc64', 326)).toBe('socket');
    expect(resolveSyscall('mipsel64', 5040)).toBe('socket');
  });

  it('returns undefined for garbage', () => {
    expect(resolveSyscall('vax', 1)).toBeUndefined();
    expect(resolveSyscall('x86_64', -1)).toBeUndefined();
    expect(resolveSyscall('x86_64', 1.5)).toBeUndefined();
    expect(resolveSyscall('x86_64', 99999)).toBeUndefined();
    expect(syscallNumber('x86_64', 'not_a_syscall')).toBeUndefined();
    expect(syscallNames('vax')).toEqual([]);
  });

  it('lists names sorted and checks names across arches', () => {
    const names = syscallNames('x86_64');
    expect([...names].sort()).toEqual(names);
    expect(names).toContain('socket');
    expect(isSyscallOnAnyArch('socketcall', ['x86_64', 'aarch64'])).toBe(false);
    expect(isSyscallOnAnyArch('socketcall', ['x86_64', 'i386'])).toBe(true);
  });
});

describe('arch names', () => {
  it.each([
    ['c000003e', 'x86_64'],
    ['40000003', 'i386'],
    ['c00000b7', 'aarch64'],
    ['40000028', 'arm'],
    ['c0000015', 'ppc64le'],
    ['80000016', 's390x'],
    ['c00000f3', 'riscv64'],
    ['c0000102', 'loongarch64'],
    ['80000008', 'mips64'],
  ])('AUDIT_ARCH %s is %s', (hex, arch) => {
    expect(archFromAuditArch(hex)).toBe(arch);
    expect(archFromAuditArch(`0x${hex.toUpperCase()}`)).toBe(arch);
    expect(auditArchOf(arch)).toBe(parseInt(hex, 16));
  });

  it('maps x32 to x86_64 audit arch and rejects garbage', () => {
    expect(auditArchOf('x32')).toBe(0xc000003e);
    expect(archFromAuditArch(0xc000003e)).toBe('x86_64');
    expect(archFromAuditArch('zz')).toBeUndefined();
    expect(archFromAuditArch('')).toBeUndefined();
    expect(archFromAuditArch('123456789')).toBeUndefined();
    expect(archFromAuditArch('deadbeef')).toBeUndefined();
  });

  it('round-trips SCMP_ARCH names for every arch', () => {
    for (const arch of ARCHES) expect(archFromScmp(scmpArchOf(arch) ?? '')).toBe(arch);
    expect(archFromScmp('SCMP_ARCH_X86')).toBe('i386');
    expect(archFromScmp('SCMP_ARCH_NOPE')).toBeUndefined();
  });
});

describe('seccomp actions', () => {
  it.each([
    ['0x80000000', 'kill_process'],
    ['0x0', 'kill_thread'],
    ['0x30000', 'trap'],
    ['0x50000', 'errno'],
    ['0x7fc00000', 'user_notif'],
    ['0x7ff00000', 'trace'],
    ['0x7ffc0000', 'log'],
    ['0x7fff0000', 'allow'],
  ])('%s is %s', (code, action) => {
    expect(actionFromCode(code)).toEqual({ action, known: true, code: parseInt(code, 16) });
  });

  it('masks errno data off and keeps unknown codes as unknown kill_process', () => {
    expect(actionFromCode(0x50001)?.action).toBe('errno');
    expect(actionFromCode('0xffff0000')).toEqual({ action: 'kill_process', known: false, code: 0xffff0000 });
    expect(actionFromCode('0xzz')).toBeUndefined();
    expect(actionFromCode(Number.NaN)).toBeUndefined();
  });
});

describe('errno and signals', () => {
  it('names canonical values', () => {
    expect(errnoName(1)).toBe('EPERM');
    expect(errnoName(11)).toBe('EAGAIN');
    expect(errnoName(38)).toBe('ENOSYS');
    expect(errnoNumber('EWOULDBLOCK')).toBe(11);
    expect(errnoNumber('EACCES')).toBe(13);
    expect(signalName(31)).toBe('SIGSYS');
    expect(signalName(6)).toBe('SIGABRT');
    expect(signalName(9)).toBe('SIGKILL');
    expect(signalNumber('SIGSYS')).toBe(31);
    expect(errnoName(99999)).toBeUndefined();
    expect(signalName(0)).toBeUndefined();
  });
});
