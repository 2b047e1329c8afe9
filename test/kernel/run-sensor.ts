import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export const SENSOR_PROGRAM = fileURLToPath(
  new URL('../../apps/agent/bpf/seccomp-sensor.bt', import.meta.url),
);

export interface RunningSensor {
  /** Every stdout line so far (bpftrace -f json). */
  lines: string[];
  stderr: string[];
  stop(): Promise<void>;
}

/**
 * Starts bpftrace directly with the sensor program and resolves once every probe is attached
 * (bpftrace prints a marker on stderr when __BPFTRACE_NOTIFY_PROBES_ATTACHED is set).
 */
export async function startSensor(timeoutMs = 60_000): Promise<RunningSensor> {
  const child = spawn('bpftrace', ['-f', 'json', SENSOR_PROGRAM], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      __BPFTRACE_NOTIFY_PROBES_ATTACHED: '1',
      BPFTRACE_MAP_KEYS_MAX: '65536',
      BPFTRACE_PERF_RB_PAGES: '512',
    },
  });
  const lines: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`bpftrace did not attach: ${stderr.join(' | ')}`)),
      timeoutMs,
    );
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (line.trim() === '__BPFTRACE_NOTIFY_PROBES_ATTACHED') {
        clearTimeout(timer);
        resolve();
      } else if (line.trim()) stderr.push(line);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bpftrace exited (${code}) before attaching: ${stderr.join(' | ')}`));
    });
  });
  return {
    lines,
    stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
