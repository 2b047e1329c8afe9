import { createReadStream } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { AuditParserState } from '@sandtrap/audit';
import { inputChunks, SharedChunks, type InputChunk } from './input-chunks.js';
import type { ParseRunOptions, ParseSummary } from './parse-run.js';
import type { ChunkJob, ChunkResult, GiveBack } from './parse-worker.js';
import { wholeBuffer, type StdoutSink } from './stdout-sink.js';

export interface ParallelOptions {
  workers: number;
  /** Bytes of input per job (default 4 MiB). */
  chunkBytes?: number;
  /**
   * Lines before a chunk that a worker parses to get the audit parser's state. Default: 2048,
   * then twice the span of lines the state held at the chunk ends seen so far (at least 256,
   * at most 2048).
   */
  prefixLines?: number;
  /** Jobs out at once per worker (default 2). */
  depth?: number;
}

/** SANDTRAP_PARSE_DEBUG=1: say on stderr when a chunk is parsed again or the rest goes in order. */
function debug(text: string): void {
  if (process.env.SANDTRAP_PARSE_DEBUG === '1') process.stderr.write(`parse workers: ${text}\n`);
}

interface Pending {
  chunk: InputChunk;
  firstLine: number;
  prefix?: ChunkJob['prefix'];
  result: Promise<ChunkResult>;
}

// Bounds of the lead-in chosen from the state's span (parallel-parse consume).
const PREFIX_MIN = 256;
const PREFIX_MAX = 2048;

/** Lines from the oldest entry a state holds up to `nextLine` (0 when it holds nothing). */
function stateSpan(state: AuditParserState, nextLine: number): number {
  let oldest = nextLine;
  for (const h of state.held) if (h.line < oldest) oldest = h.line;
  for (const e of state.early) if (e.line < oldest) oldest = e.line;
  return nextLine - oldest;
}

/** The last `n` lines of a chunk (it ends at a newline, or is the input's last). */
function tail(chunk: InputChunk, firstLine: number, n: number): ChunkJob['prefix'] {
  const count = Math.min(n, chunk.lines);
  const bytes = chunk.bytes;
  let start = bytes.length;
  // Skip the chunk's own final newline, then find `count` more line starts going back.
  let pos = bytes.length - 2;
  for (let i = 0; i < count; i++) {
    const nl = pos < 0 ? -1 : bytes.lastIndexOf(10, pos);
    start = nl + 1;
    if (nl < 0) break;
    pos = nl - 1;
  }
  const skipped = chunk.lines - count;
  return {
    // A view: the chunk's shared memory goes to the worker without a copy.
    bytes: bytes.subarray(start),
    overlong: chunk.overlong.filter((i) => i >= skipped).map((i) => i - skipped),
    firstLine: firstLine + skipped,
  };
}

/**
 * `sandtrap parse` over files with worker threads, writing exactly what one ParseRun over the
 * same lines (with one clock reading per file) writes. Each input is cut into chunks at line
 * starts; a worker parses a chunk with a new audit parser that first reads the lines just
 * before it (output dropped) to reach the state the single parser would have there. Results
 * are taken in input order, and a chunk's start state is checked against the state the
 * previous chunk ended with: when they differ (an event held from further back), the chunk is
 * parsed again from that exact state. Once a line goes to an eBPF tool adapter (they keep
 * state from line to line), the rest is parsed in order by one worker.
 */
export class ParallelParse {
  private readonly pool: Worker[] = [];
  private readonly load: number[] = [];
  private readonly waiting = new Map<number, { resolve: (r: ChunkResult) => void; worker: number }>();
  private nextId = 0;
  private sequential = false;
  private readonly counts: ParseSummary = { parsed: 0, skipped: 0, errors: 0, lost: 0 };
  private failed: Error | undefined;
  private closing = false;
  private out: StdoutSink | undefined;

  /** Starts the workers; writeTo gives the output before the first input is consumed. */
  constructor(
    private readonly options: ParseRunOptions,
    private readonly report: (text: string) => void,
    private readonly parallel: ParallelOptions,
  ) {
    for (let i = 0; i < Math.max(1, parallel.workers); i++) {
      const w = new Worker(new URL('./parse-worker.js', import.meta.url), { workerData: options });
      w.on('message', (r: ChunkResult) => {
        const wait = this.waiting.get(r.id);
        if (wait === undefined) return;
        this.waiting.delete(r.id);
        this.load[wait.worker]--;
        wait.resolve({ ...r, worker: wait.worker });
      });
      w.on('error', (error) => this.fail(error));
      w.on('exit', (code) => {
        if (!this.closing) this.fail(new Error(`a parse worker stopped (exit ${code})`));
      });
      this.pool.push(w);
      this.load.push(0);
    }
  }

  /** Where the events go (stdout), in input order. */
  writeTo(out: StdoutSink): void {
    this.out = out;
  }

  summary(): ParseSummary {
    return { ...this.counts };
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.pool.map((w) => w.terminate()));
  }

  private fail(error: Error): void {
    this.failed ??= error;
    for (const wait of this.waiting.values()) wait.resolve({ id: -1 } as ChunkResult);
    this.waiting.clear();
  }

  /** One input file; throws (after writing what came before) when it cannot be read. */
  async consume(file: string, label?: string): Promise<void> {
    const chunkBytes = this.parallel.chunkBytes ?? 4 << 20;
    // The lead-in only has to reach back to the oldest entry the state holds at the cut: from
    // the spans seen so far, with room to spare (a short one costs a parse again, not output).
    let prefixLines = this.parallel.prefixLines ?? PREFIX_MAX;
    let widestSpan = 0;
    const adapt = this.parallel.prefixLines === undefined;
    const depth = this.pool.length * (this.parallel.depth ?? 2);
    // One clock reading per file: what is held waits for the siblings in the file, not for time.
    const now = Date.now();
    const queue: Pending[] = [];
    let lineNo = 0;
    let previous: { chunk: InputChunk; firstLine: number } | undefined;
    // The state after the last accepted chunk: a new parser for the next one starts from it.
    let state: AuditParserState | undefined;
    let stateKey: string | undefined;
    let started = false;
    let fileStart = true;
    // A chunk's buffer is read by its own jobs and by the next chunk's first job (its lead-in):
    // once the next chunk is accepted, no job reads it again. In sequential mode, speculative
    // jobs sent before may still be running: nothing is reused then.
    const buffers = new SharedChunks(chunkBytes + (64 << 10));
    let lastAccepted: InputChunk | undefined;
    const job = (p: Pending, extra: Partial<ChunkJob>): ChunkJob => ({
      id: this.nextId++,
      bytes: p.chunk.bytes,
      overlong: p.chunk.overlong,
      firstLine: p.firstLine,
      fresh: true,
      resetTools: false,
      label,
      now,
      end: false,
      wantState: !this.sequential,
      ...extra,
    });
    // In sequential mode one worker goes on with its own parser: only the input's first job starts one.
    const sequentialJob = (p: Pending, first: boolean, extra: Partial<ChunkJob> = {}) =>
      this.send(job(p, { fresh: first, wantState: false, ...extra }), 0);
    const accept = async (): Promise<void> => {
      const p = queue.shift() as Pending;
      let r = await p.result;
      if (this.failed !== undefined) throw this.failed;
      if (!this.sequential && r.sawTool) {
        // Tool adapters keep state: from here on, all in order on worker 0 (which forgets
        // whatever a speculative job gave its adapters), later chunks sent again.
        this.sequential = true;
        debug(`sequential from line ${p.firstLine}`);
        p.result = sequentialJob(p, true, { state, resetTools: true });
        for (const later of queue) later.result = sequentialJob(later, false);
        r = await p.result;
      } else if (!this.sequential && r.startKey !== undefined && r.startKey !== stateKey) {
        // The lines before the chunk did not rebuild the state: parse it again from the real one.
        debug(`parsed again from line ${p.firstLine}`);
        r = await this.send(job(p, { state }), this.idlest());
      }
      if (this.failed !== undefined) throw this.failed;
      const out = this.out as StdoutSink;
      await out.flush();
      for (const b of r.out)
        await out.writeRaw(b, out.reuseWritten ? () => this.giveBack(r.worker, b) : undefined);
      for (const e of r.errors) this.report(e);
      this.add(r.counts);
      if (lastAccepted !== undefined && !this.sequential) buffers.release(lastAccepted.bytes);
      lastAccepted = p.chunk;
      state = r.endState;
      stateKey = r.endKey;
      if (adapt && state !== undefined) {
        widestSpan = Math.max(widestSpan, stateSpan(state, p.firstLine + p.chunk.lines));
        prefixLines = Math.min(PREFIX_MAX, Math.max(PREFIX_MIN, 2 * widestSpan));
      }
    };
    try {
      const stream = createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>;
      for await (const chunk of inputChunks(stream, chunkBytes, buffers)) {
        const p: Pending = { chunk, firstLine: lineNo + 1, result: Promise.resolve({} as ChunkResult) };
        lineNo += chunk.lines;
        if (this.sequential) {
          p.result = sequentialJob(p, fileStart);
        } else {
          if (previous !== undefined) p.prefix = tail(previous.chunk, previous.firstLine, prefixLines);
          p.result = this.send(job(p, { prefix: p.prefix }), this.idlest());
        }
        fileStart = false;
        started = true;
        queue.push(p);
        previous = { chunk, firstLine: p.firstLine };
        while (queue.length >= depth) await accept();
      }
      while (queue.length > 0) await accept();
    } catch (error) {
      // What came before the failure goes out, as the single-threaded reader wrote it as it went.
      while (queue.length > 0 && this.failed === undefined) await accept().catch(() => undefined);
      throw error;
    }
    // End of input: what the audit parser holds goes out.
    const empty: Pending = {
      chunk: { bytes: Buffer.alloc(0), overlong: [], lines: 0 },
      firstLine: lineNo + 1,
      result: Promise.resolve({} as ChunkResult),
    };
    empty.result = this.sequential
      ? sequentialJob(empty, !started, { end: true })
      : this.send(job(empty, { state, end: true, wantState: false }), this.idlest());
    queue.push(empty);
    await accept();
  }

  /** An output buffer, written, back to the worker it came from (it writes into it again). */
  private giveBack(worker: number | undefined, chunk: Uint8Array): void {
    if (worker === undefined || this.closing || chunk.byteOffset !== 0) return;
    const message: GiveBack = { giveBack: wholeBuffer(chunk).buffer as ArrayBuffer };
    this.pool[worker].postMessage(message, [message.giveBack]);
  }

  private add(c: ParseSummary): void {
    this.counts.parsed += c.parsed;
    this.counts.skipped += c.skipped;
    this.counts.errors += c.errors;
    this.counts.lost += c.lost;
  }

  private idlest(): number {
    let best = 0;
    for (let i = 1; i < this.load.length; i++) if (this.load[i] < this.load[best]) best = i;
    return best;
  }

  private send(job: ChunkJob, worker: number): Promise<ChunkResult> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    this.load[worker]++;
    return new Promise((resolve) => {
      this.waiting.set(job.id, { resolve, worker });
      this.pool[worker].postMessage(job);
    });
  }
}
