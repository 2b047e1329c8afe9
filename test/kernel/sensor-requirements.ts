import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Why the eBPF sensor cannot run here (not root, no bpftrace, no tracepoints, no BTF), or
 * undefined when it can. Mounts tracefs when it is missing, as the agent's bpf source does.
 * (Tests may not import the agent's internals, so this is the test suites' own check.)
 */
export async function sensorSkipReason(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return `not root (uid ${process.getuid?.()})`;
  if (!(await bpftraceOnPath())) return 'bpftrace is not on PATH';
  if (!(await exists('/sys/kernel/tracing/events'))) {
    try {
      await run('mount', ['-t', 'tracefs', 'nodev', '/sys/kernel/tracing']);
    } catch (error) {
      return `cannot mount tracefs: ${(error as Error).message}`;
    }
  }
  for (const tracepoint of ['raw_syscalls/sys_exit', 'signal/signal_deliver', 'sched/sched_process_fork']) {
    if (!(await exists(`/sys/kernel/tracing/events/${tracepoint}`))) return `no tracepoint ${tracepoint}`;
  }
  if (!(await exists('/sys/kernel/btf/vmlinux'))) return 'no kernel BTF';
  return undefined;
}

async function bpftraceOnPath(): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    try {
      await access(join(dir, 'bpftrace'), constants.X_OK);
      return true;
    } catch {
      // next PATH entry
    }
  }
  return false;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
