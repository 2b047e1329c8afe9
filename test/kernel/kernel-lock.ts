import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll } from 'vitest';

/**
 * One lock for every suite that reads the kernel's audit records. While auditd runs, SECCOMP
 * records go to audit.log instead of /dev/kmsg, so the auditd suite must never overlap the kmsg
 * suites, and vitest runs e2e files in parallel. flock(1) holds the lock in a child whose stdin is
 * our pipe: closing it (or this process dying) releases the lock, so a crash leaves no stale lock.
 *
 * Without auditd the kernel prints audit records through printk_ratelimit() (10 per 5 s by
 * default) and drops the rest ("kauditd_printk_skb: N callbacks suppressed"): one suite's records
 * would eat the next suite's budget. So a suite starts only once a whole ratelimit interval has
 * passed since the previous holder let go.
 */
const LOCK_FILE = '/tmp/sandtrap-kernel-tests.lock';
const RELEASED_FILE = '/tmp/sandtrap-kernel-tests.released';
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
  await sleep(Math.max(0, lastRelease() + printkRatelimitMs() - Date.now()));
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    writeFileSync(RELEASED_FILE, String(Date.now()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin?.end();
    await exited;
  };
}

/** When the last holder released the lock (ms since the epoch; 0 when unknown). */
function lastRelease(): number {
  try {
    return Number(readFileSync(RELEASED_FILE, 'utf8')) || 0;
  } catch {
    return 0;
  }
}

/** The kernel's printk ratelimit interval, plus a little for the window's own start. */
function printkRatelimitMs(): number {
  try {
    return (Number(readFileSync('/proc/sys/kernel/printk_ratelimit', 'utf8')) || 5) * 1000 + 250;
  } catch {
    return 5_250;
  }
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
