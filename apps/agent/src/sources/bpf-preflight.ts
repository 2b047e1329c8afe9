import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { SourceUnavailableError } from './source.js';

const run = promisify(execFile);

export const TRACEFS = '/sys/kernel/tracing';
export const KERNEL_BTF = '/sys/kernel/btf/vmlinux';
/** Tracepoints the sensor program attaches to (apps/agent/bpf/seccomp-sensor.bt). */
export const SENSOR_TRACEPOINTS = [
  'raw_syscalls/sys_enter',
  'raw_syscalls/sys_exit',
  'sched/sched_process_fork',
  'sched/sched_process_exit',
  'signal/signal_generate',
  'signal/signal_deliver',
] as const;

export type BpfUnavailableReason =
  'NOT_ROOT' | 'NO_BPFTRACE' | 'NO_TRACEPOINTS' | 'NO_BTF' | 'BPFTRACE_FAILED';

/** The bpf source cannot run on this host; `reason` says why, the message what to do. */
export class BpfSensorUnavailableError extends SourceUnavailableError {
  constructor(
    readonly reason: BpfUnavailableReason,
    message: string,
  ) {
    super('bpf', `${reason}: ${message}`);
    this.name = 'BpfSensorUnavailableError';
  }
}

/** What the check asks of the host; replaced in unit tests. */
export interface BpfHost {
  uid(): number;
  findExecutable(name: string): Promise<string | undefined>;
  exists(path: string): Promise<boolean>;
  mountTracefs(path: string): Promise<void>;
}

export const realBpfHost: BpfHost = {
  uid: () => process.getuid?.() ?? -1,
  async findExecutable(name) {
    const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
    const candidates = name.includes('/') ? [name] : dirs.map((dir) => join(dir, name));
    for (const candidate of candidates) {
      if (
        await access(candidate, constants.X_OK).then(
          () => true,
          () => false,
        )
      )
        return candidate;
    }
    return undefined;
  },
  exists: (path) =>
    access(path).then(
      () => true,
      () => false,
    ),
  async mountTracefs(path) {
    await run('mount', ['-t', 'tracefs', 'nodev', path]);
  },
};

export interface BpfPreflightOptions {
  /** Absolute path, or a name looked up on PATH. */
  bpftrace?: string;
  tracefs?: string;
  btf?: string;
}

export interface BpfPreflightResult {
  bpftrace: string;
  /** True when this check mounted tracefs itself. */
  mountedTracefs: boolean;
  /** util-linux setpriv, when present: lets bpftrace die with the agent. */
  setpriv?: string;
}

/**
 * Checks, in order, what the sensor needs: root, bpftrace, tracefs with the tracepoints
 * (mounting it when /sys/kernel/tracing is empty), kernel BTF (the program reads
 * task->seccomp.mode). Throws BpfSensorUnavailableError naming the first thing missing.
 */
export async function checkBpfPreflight(
  options: BpfPreflightOptions = {},
  host: BpfHost = realBpfHost,
): Promise<BpfPreflightResult> {
  const uid = host.uid();
  if (uid !== 0) {
    throw new BpfSensorUnavailableError('NOT_ROOT', `the bpf sensor needs root (running as uid ${uid})`);
  }
  const wanted = options.bpftrace ?? 'bpftrace';
  const bpftrace = await host.findExecutable(wanted);
  if (!bpftrace) {
    throw new BpfSensorUnavailableError(
      'NO_BPFTRACE',
      `bpftrace not found (${wanted}): install the bpftrace package`,
    );
  }
  const tracefs = options.tracefs ?? TRACEFS;
  let mountedTracefs = false;
  if (!(await host.exists(join(tracefs, 'events')))) {
    try {
      await host.mountTracefs(tracefs);
      mountedTracefs = true;
    } catch (error) {
      throw new BpfSensorUnavailableError(
        'NO_TRACEPOINTS',
        `${tracefs} is empty and mounting tracefs there failed: ${(error as Error).message}`,
      );
    }
  }
  const missing: string[] = [];
  for (const tracepoint of SENSOR_TRACEPOINTS) {
    if (!(await host.exists(join(tracefs, 'events', tracepoint)))) missing.push(tracepoint);
  }
  if (missing.length > 0) {
    throw new BpfSensorUnavailableError(
      'NO_TRACEPOINTS',
      `tracepoints missing in ${tracefs}: ${missing.join(', ')}`,
    );
  }
  const btf = options.btf ?? KERNEL_BTF;
  if (!(await host.exists(btf))) {
    throw new BpfSensorUnavailableError(
      'NO_BTF',
      `kernel BTF (${btf}) is missing: the kernel needs CONFIG_DEBUG_INFO_BTF`,
    );
  }
  return { bpftrace, mountedTracefs, setpriv: await host.findExecutable('setpriv') };
}
