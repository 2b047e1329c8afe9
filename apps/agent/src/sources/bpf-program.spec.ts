import { describe, expect, it } from 'vitest';
import { hostSyscallArch, monotonicZeroMs, SENSOR_PROGRAM_PATH } from './bpf-program.js';

describe('bpf program helpers', () => {
  it('finds the program in apps/agent/bpf, from src or dist', () => {
    expect(SENSOR_PROGRAM_PATH).toMatch(/apps\/agent\/bpf\/seccomp-sensor\.bt$/);
  });

  it('maps Node arch names to syscall arch names and passes unknown ones through', () => {
    expect(hostSyscallArch('x64')).toBe('x86_64');
    expect(hostSyscallArch('arm64')).toBe('aarch64');
    expect(hostSyscallArch('ia32')).toBe('i386');
    expect(hostSyscallArch('weird')).toBe('weird');
  });

  it('puts monotonic zero in the past, no later than now minus the process uptime', () => {
    const zero = monotonicZeroMs();
    expect(zero).toBeLessThanOrEqual(Date.now() - process.uptime() * 1000 + 5);
    expect(Math.abs(monotonicZeroMs() - zero)).toBeLessThan(50);
  });
});
