import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** bpftrace prints this on stderr once every probe is attached, when the variable is set. */
const ATTACHED_MARKER = '__BPFTRACE_NOTIFY_PROBES_ATTACHED';
const STDERR_TAIL_LINES = 20;

export interface BpfSensorProcessOptions {
  bpftrace: string;
  program: string;
  /** Threads the sensor can track at once (bpftrace's default of 4096 is small for a host). */
  mapKeysMax?: number;
  /**
   * Perf ring pages per CPU. bpftrace's default (64) lost 75% of a 100,000-denial burst here;
   * 1024 lost none. 512 (2 MiB per CPU) is the middle ground.
   */
  perfRingPages?: number;
  /**
   * setpriv (util-linux) to run bpftrace under `--pdeathsig SIGINT`, so bpftrace detaches when
   * the agent dies, even by SIGKILL, instead of tracing on as an orphan. Without it, bpftrace is
   * spawned directly and lives until its next write to the closed pipe.
   */
  setpriv?: string;
  onLine(line: string): void;
  onStderr?(line: string): void;
}

export interface BpfSensorExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Last lines bpftrace wrote on stderr: its reason when it failed. */
  stderrTail: string[];
}

/** One run of bpftrace with the sensor program: readiness, output lines, exit, stop. */
export class BpfSensorProcess {
  /** Resolves once all probes are attached; rejects if bpftrace exits first. */
  readonly ready: Promise<void>;
  readonly exited: Promise<BpfSensorExit>;
  private readonly child: ChildProcess;
  private readonly stderrTail: string[] = [];

  constructor(options: BpfSensorProcessOptions) {
    const bpftraceArgs = ['-f', 'json', options.program];
    const [command, args] = options.setpriv
      ? [options.setpriv, ['--pdeathsig', 'SIGINT', '--', options.bpftrace, ...bpftraceArgs]]
      : [options.bpftrace, bpftraceArgs];
    // setpriv execs bpftrace: the child's pid is bpftrace's.
    this.child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        [ATTACHED_MARKER]: '1',
        BPFTRACE_MAP_KEYS_MAX: String(options.mapKeysMax ?? 65_536),
        BPFTRACE_PERF_RB_PAGES: String(options.perfRingPages ?? 512),
      },
    });
    let markReady: () => void = () => undefined;
    let markFailed: (error: Error) => void = () => undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      markFailed = reject;
    });
    // Callers that never await `ready` must not see an unhandled rejection.
    this.ready.catch(() => undefined);

    const stdout = createInterface({ input: this.child.stdout!, crlfDelay: Infinity });
    stdout.on('line', (line) => options.onLine(line));
    const stderr = createInterface({ input: this.child.stderr!, crlfDelay: Infinity });
    stderr.on('line', (line) => {
      if (line.trim() === ATTACHED_MARKER) {
        markReady();
        return;
      }
      if (line.trim() === '') return;
      this.stderrTail.push(line);
      if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
      options.onStderr?.(line);
    });

    this.exited = new Promise<BpfSensorExit>((resolve) => {
      let stdoutClosed = false;
      let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      const finish = () => {
        if (!stdoutClosed || !exit) return;
        markFailed(
          new Error(
            `bpftrace exited before attaching (code ${exit.code}, signal ${exit.signal}): ${this.stderrTail.join(' | ')}`,
          ),
        );
        resolve({ ...exit, stderrTail: [...this.stderrTail] });
      };
      // Resolve only after the last stdout line was handed out, so no event is lost at exit.
      stdout.on('close', () => {
        stdoutClosed = true;
        finish();
      });
      this.child.on('error', (error) => {
        this.stderrTail.push(error.message);
        exit = { code: null, signal: null };
        stdoutClosed = true;
        finish();
      });
      this.child.on('exit', (code, signal) => {
        exit = { code, signal };
        finish();
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** SIGINT lets bpftrace detach and flush; SIGKILL after `graceMs` if it does not. */
  async stop(graceMs = 5_000): Promise<BpfSensorExit> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGINT');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      try {
        return await this.exited;
      } finally {
        clearTimeout(timer);
      }
    }
    return this.exited;
  }
}
