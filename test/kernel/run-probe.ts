import { execFile } from 'node:child_process';
import { compileProbe } from './compile-probe.js';

/** Modes of test/kernel/seccomp-probe.c; see the comment at the top of that file. */
export type ProbeMode =
  'allow' | 'log' | 'errno' | 'errno-thread' | 'errno-log' | 'kill' | 'kill-thread' | 'trap';

/** One call the probe made, as it printed it. */
export interface ProbeCall {
  mode: ProbeMode;
  pid: number;
  tid: number;
  arch: string;
  syscall: string;
  nr: number;
  /** The seccomp action the filter applies. */
  expected: 'allow' | 'log' | 'errno' | 'kill_process' | 'kill_thread' | 'trap';
  ret: number;
  errno: number;
  signal: number;
}

export interface ProbeRun {
  /** Pid of the probe process itself (kill mode's children have their own pids in `calls`). */
  pid: number;
  exitCode: number;
  calls: ProbeCall[];
  stderr: string;
}

/**
 * Compiles (once) and runs the probe in `mode`. Rejects when the probe cannot set up its filter
 * (exit 2) or a call did not behave as its filter says (exit 1): the kernel, not the sensor, is
 * then to blame.
 */
export async function runProbe(mode: ProbeMode, options: { repeat?: number } = {}): Promise<ProbeRun> {
  const binary = await compileProbe();
  const args: string[] = [mode];
  if (options.repeat !== undefined) args.push('--repeat', String(options.repeat));
  return new Promise((resolve, reject) => {
    const child = execFile(binary, args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const exitCode = child.exitCode ?? -1;
      if (error && exitCode !== 1) {
        reject(new Error(`seccomp-probe ${mode} failed (exit ${exitCode}): ${stderr}`, { cause: error }));
        return;
      }
      const lines = stdout.split('\n').filter((line) => line.length > 0);
      const parsed = lines.map((line) => JSON.parse(line) as ProbeCall | { done: true; calls: number });
      const calls = parsed.filter((entry): entry is ProbeCall => !('done' in entry));
      const done = parsed.find((entry) => 'done' in entry);
      if (exitCode !== 0 || !done) {
        reject(new Error(`seccomp-probe ${mode}: a call misbehaved (exit ${exitCode}): ${stderr}`));
        return;
      }
      resolve({ pid: child.pid ?? -1, exitCode, calls, stderr });
    });
  });
}
