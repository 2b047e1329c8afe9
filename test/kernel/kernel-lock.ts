import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';

/**
 * One lock for every suite that reads the kernel's audit records. While auditd runs, SECCOMP
 * records go to audit.log instead of /dev/kmsg, so the auditd suite must never overlap the kmsg
 * suites, and vitest runs e2e files in parallel. flock(1) holds the lock in a child whose stdin is
 * our pipe: closing it (or this process dying) releases the lock, so a crash leaves no stale lock.
 */
const LOCK_FILE = '/tmp/sandtrap-kernel-tests.lock';
const WAIT_MS = 15 * 60_000;

export class KernelLockError extends Error {
  readonly code = 'KERNEL_LOCK_FAILED';
}

export async function acquireKernelLock(): Promise<() => Promise<void>> {
  const child: ChildProcess = spawn(
    'flock',
    ['-w', String(WAIT_MS / 1000), LOCK_FILE, 'sh', '-c', 'echo locked; exec cat'],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.once('error', (error) => reject(new KernelLockError(`flock failed: ${error.message}`)));
    child.once('exit', (code) => reject(new KernelLockError(`flock exited with ${code} before locking`)));
    child.stdout?.once('data', () => resolve());
  });
  child.removeAllListeners('exit');
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin?.end();
    await exited;
  };
}

/** Registers file-level hooks: the whole suite file runs holding the kernel lock. */
export function holdKernelLock(): void {
  let release: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    release = await acquireKernelLock();
  }, WAIT_MS + 10_000);
  afterAll(async () => {
    await release?.();
  });
}
