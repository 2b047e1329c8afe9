import {
  createBpfSensorAdapter,
  type BpfSensorAdapter,
  type EventContainer,
  type SecurityEvent,
} from '@sandtrap/events';
import { ContainerResolver } from '../enrich/container-resolver.js';
import { checkBpfPreflight, BpfSensorUnavailableError, type BpfPreflightOptions } from './bpf-preflight.js';
import { hostSyscallArch, monotonicZeroMs, SENSOR_PROGRAM_PATH } from './bpf-program.js';
import { BpfSensorProcess, type BpfSensorExit } from './bpf-sensor-process.js';
import type { Source, SourceBatch, SourceContext } from './source.js';

const EMIT_ATTEMPTS = 3;
const EMIT_RETRY_MS = 250;

export interface BpfSourceOptions {
  /** bpftrace binary, a path or a name on PATH. */
  bpftrace?: string;
  program?: string;
  /** Syscall arch for names; defaults to the host's. */
  arch?: string;
  batchMaxEvents?: number;
  batchMaxMs?: number;
  /** Events held in memory while the spool is slow; beyond it new events are counted lost. */
  maxBufferedEvents?: number;
  restartInitialMs?: number;
  restartMaxMs?: number;
  /** How long bpftrace may take to attach its probes. */
  attachTimeoutMs?: number;
  /**
   * Container of a live pid; the sensor's pids are host pids. Defaults to the agent's cgroup
   * resolver (ContainerResolver); pass one to share its cache with other sources.
   */
  resolveContainer?: (pid: number) => Promise<EventContainer | undefined> | EventContainer | undefined;
  preflight?: BpfPreflightOptions;
}

export interface BpfSourceStats {
  events: number;
  lost: number;
  parseErrors: number;
  restarts: number;
}

/**
 * The built-in eBPF sensor: runs bpftrace with apps/agent/bpf/seccomp-sensor.bt and turns its
 * lines into SecurityEvents (source `bpf`). It sees seccomp ERRNO denials the kernel never
 * audits. A filter with SECCOMP_FILTER_FLAG_LOG makes the kernel audit the same denial too: it
 * then arrives twice, once from kmsg/auditd and once from here, under different event keys.
 */
export class BpfSource implements Source {
  readonly name = 'bpf';
  private readonly options: Required<
    Pick<
      BpfSourceOptions,
      | 'batchMaxEvents'
      | 'batchMaxMs'
      | 'maxBufferedEvents'
      | 'restartInitialMs'
      | 'restartMaxMs'
      | 'attachTimeoutMs'
    >
  > &
    BpfSourceOptions;
  private ctx: SourceContext | undefined;
  private adapter: BpfSensorAdapter | undefined;
  private process: BpfSensorProcess | undefined;
  private stopping = false;
  private setpriv: string | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private restartDelayMs: number;
  private pending: Promise<SecurityEvent>[] = [];
  private pendingLost = 0;
  private inFlight = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private emitting: Promise<void> = Promise.resolve();
  private readonly counters: BpfSourceStats = { events: 0, lost: 0, parseErrors: 0, restarts: 0 };

  constructor(options: BpfSourceOptions = {}) {
    this.options = {
      batchMaxEvents: 500,
      batchMaxMs: 200,
      maxBufferedEvents: 100_000,
      restartInitialMs: 1_000,
      restartMaxMs: 60_000,
      attachTimeoutMs: 60_000,
      ...options,
    };
    if (!this.options.resolveContainer) {
      const resolver = new ContainerResolver();
      this.options.resolveContainer = (pid) => resolver.resolve(pid);
    }
    this.restartDelayMs = this.options.restartInitialMs;
  }

  /**
   * Resolves once bpftrace has attached every probe: from then on denials are seen (see the
   * program's header for the blind spots). Throws BpfSensorUnavailableError when it cannot run.
   */
  async start(ctx: SourceContext): Promise<void> {
    const { bpftrace, setpriv } = await checkBpfPreflight({
      bpftrace: this.options.bpftrace,
      ...this.options.preflight,
    });
    this.ctx = ctx;
    this.stopping = false;
    this.adapter = createBpfSensorAdapter({
      host: ctx.host,
      bootId: ctx.bootId,
      bootTimeMs: monotonicZeroMs(),
      arch: this.options.arch ?? hostSyscallArch(),
    });
    try {
      this.setpriv = setpriv;
      await this.launch(bpftrace);
    } catch (error) {
      throw new BpfSensorUnavailableError('BPFTRACE_FAILED', (error as Error).message);
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const running = this.process;
    this.process = undefined;
    if (running) await running.stop();
    clearTimeout(this.flushTimer);
    this.flush();
    await this.emitting;
  }

  stats(): BpfSourceStats {
    return { ...this.counters };
  }

  /** Pid of the running bpftrace, if one runs. */
  sensorPid(): number | undefined {
    return this.process?.pid;
  }

  private async launch(bpftrace: string): Promise<void> {
    const sensor = new BpfSensorProcess({
      bpftrace,
      setpriv: this.setpriv,
      program: this.options.program ?? SENSOR_PROGRAM_PATH,
      onLine: (line) => this.onLine(line),
      onStderr: (line) => {
        // bpftrace 0.17 says this on every start where it cannot raise the limit; kernels since
        // 5.11 account BPF memory to the cgroup instead, so it is harmless.
        const level = line.includes('RLIMIT_MEMLOCK') ? 'debug' : 'warn';
        this.ctx?.log[level]({ source: this.name, bpftrace: line }, 'bpftrace stderr');
      },
    });
    this.process = sensor;
    const startedAt = Date.now();
    let attached = false;
    // Only a sensor that attached restarts from its exit; a failed launch is retried by its caller.
    void sensor.exited.then((exit) => attached && this.onExit(sensor, exit, bpftrace, startedAt));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`bpftrace did not attach within ${this.options.attachTimeoutMs} ms`)),
        this.options.attachTimeoutMs,
      );
    });
    try {
      await Promise.race([sensor.ready, timeout]);
      attached = true;
    } catch (error) {
      if (this.process === sensor) this.process = undefined;
      await sensor.stop(1_000);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private onExit(sensor: BpfSensorProcess, exit: BpfSensorExit, bpftrace: string, startedAt: number): void {
    if (this.stopping || this.process !== sensor) return;
    this.process = undefined;
    // A run that lasted a while was healthy: start the backoff over.
    if (Date.now() - startedAt > this.options.restartMaxMs)
      this.restartDelayMs = this.options.restartInitialMs;
    this.ctx?.log.error(
      { source: this.name, code: exit.code, signal: exit.signal, stderr: exit.stderrTail },
      'bpftrace exited; restarting',
    );
    this.scheduleRestart(bpftrace);
  }

  private scheduleRestart(bpftrace: string): void {
    const delay = this.restartDelayMs;
    this.restartDelayMs = Math.min(this.restartDelayMs * 2, this.options.restartMaxMs);
    this.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      this.counters.restarts++;
      this.launch(bpftrace).catch((error: unknown) => {
        // A restart that fails to attach is retried too, with a longer wait.
        this.ctx?.log.error(
          { source: this.name, err: error, retryInMs: this.restartDelayMs },
          'bpftrace restart failed',
        );
        if (!this.stopping) this.scheduleRestart(bpftrace);
      });
    }, delay);
  }

  private onLine(line: string): void {
    const result = this.adapter?.adaptLine(line);
    if (!result) return;
    if (!result.ok) {
      this.counters.parseErrors++;
      this.ctx?.log.warn(
        { source: this.name, code: result.error.code, reason: result.error.message },
        'bad sensor line',
      );
      return;
    }
    if (result.lost) {
      this.counters.lost += result.lost;
      this.pendingLost += result.lost;
    }
    if (!result.event) return;
    if (this.pending.length + this.inFlight >= this.options.maxBufferedEvents) {
      this.counters.lost++;
      this.pendingLost++;
      return;
    }
    this.counters.events++;
    // Resolve the container now, while the process most likely still lives.
    this.pending.push(this.withContainer(result.event));
    if (this.pending.length >= this.options.batchMaxEvents) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), this.options.batchMaxMs);
  }

  private async withContainer(event: SecurityEvent): Promise<SecurityEvent> {
    const pid = event.process?.pid;
    if (!this.options.resolveContainer || pid === undefined) return event;
    try {
      const container = await this.options.resolveContainer(pid);
      return container ? { ...event, container } : event;
    } catch {
      return event; // the process is gone or not in a container: the event stands without it
    }
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pending.length === 0 && this.pendingLost === 0) return;
    const batch = this.pending;
    const lost = this.pendingLost;
    this.pending = [];
    this.pendingLost = 0;
    this.inFlight += batch.length;
    const ctx = this.ctx;
    this.emitting = this.emitting.then(async () => {
      try {
        const events = await Promise.all(batch);
        await this.emitWithRetry(lost > 0 ? { events, lost } : { events });
      } catch (error) {
        this.counters.lost += batch.length;
        ctx?.log.error(
          { source: this.name, err: error, events: batch.length },
          'could not spool sensor events',
        );
      } finally {
        this.inFlight -= batch.length;
      }
    });
  }

  /** The sensor cannot replay what it saw, so a refused batch is retried a few times first. */
  private async emitWithRetry(batch: SourceBatch): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.ctx?.emit(batch);
        return;
      } catch (error) {
        if (attempt >= EMIT_ATTEMPTS || this.ctx?.signal.aborted) throw error;
        await new Promise((resolve) => setTimeout(resolve, EMIT_RETRY_MS * attempt));
      }
    }
  }
}
