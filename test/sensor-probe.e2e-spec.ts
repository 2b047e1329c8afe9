import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { holdKernelLock } from './kernel/kernel-lock.js';
import { compileProbe } from './kernel/compile-probe.js';
import { runProbe } from './kernel/run-probe.js';

const run = promisify(execFile);

// The probe itself needs only gcc and a seccomp-capable kernel (no_new_privs, no root).
describe('seccomp-probe', () => {
  it('denies personality with EPERM in errno mode and keeps the allowed calls working', async () => {
    const { pid, calls } = await runProbe('errno');
    expect(calls.map((c) => [c.syscall, c.expected, c.ret, c.errno])).toEqual([
      ['getppid', 'allow', calls[0]!.ret, 0],
      ['personality', 'errno', -1, 1],
      ['close', 'allow', -1, 9],
    ]);
    expect(calls[0]!.ret).toBeGreaterThan(0);
    for (const call of calls) expect([call.pid, call.tid]).toEqual([pid, pid]);
  });

  it('makes the denied call from a second thread in errno-thread mode', async () => {
    const { pid, calls } = await runProbe('errno-thread', { repeat: 2 });
    const denied = calls.filter((c) => c.expected === 'errno');
    expect(denied).toHaveLength(2);
    for (const call of denied) {
      expect(call.pid).toBe(pid);
      expect(call.tid).not.toBe(pid);
    }
  });

  it('reports the SIGSYS that killed the child in kill mode', async () => {
    const { pid, calls } = await runProbe('kill');
    const killed = calls.find((c) => c.expected === 'kill_process');
    expect(killed).toMatchObject({ syscall: 'getpgid', signal: 31 });
    expect(killed!.pid).not.toBe(pid);
  });

  it('reports the SIGSYS of KILL_THREAD in a single-threaded child', async () => {
    const { calls } = await runProbe('kill-thread');
    expect(calls.find((c) => c.expected === 'kill_thread')).toMatchObject({ syscall: 'getpgid', signal: 31 });
  });

  it('catches the SIGSYS in trap mode', async () => {
    const { calls } = await runProbe('trap');
    expect(calls.find((c) => c.expected === 'trap')).toMatchObject({ syscall: 'getsid', signal: 31 });
  });

  it('runs log and errno-log modes with their calls behaving as the filters say', async () => {
    const log = await runProbe('log');
    expect(log.calls.find((c) => c.expected === 'log')).toMatchObject({ syscall: 'getppid', errno: 0 });
    const errnoLog = await runProbe('errno-log');
    expect(errnoLog.calls.find((c) => c.expected === 'errno')).toMatchObject({ syscall: 'uname', errno: 1 });
  });

  it('refuses garbage arguments with exit 2', async () => {
    const binary = await compileProbe();
    for (const args of [
      ['bogus'],
      [],
      ['errno', '--repeat', 'x'],
      ['errno', '--repeat', '0'],
      ['errno', '--nope', '1'],
      ['errno', '--repeat', '1', '--repeat', '2'],
      ['errno', '--linger-ms'],
      ['errno', '--linger-ms', '-1'],
    ]) {
      await expect(run(binary, args)).rejects.toMatchObject({ code: 2 });
    }
  });
});

// Never overlap the other kernel suites (auditd takes the records from /dev/kmsg).
holdKernelLock();
