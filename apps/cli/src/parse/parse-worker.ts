import { parentPort, workerData } from 'node:worker_threads';
import type { AuditParserState } from '@sandtrap/audit';
import { forEachLineBytes } from './chunk-lines.js';
import { ParseRun, type ParseRunOptions, type ParseSummary } from './parse-run.js';
import { LineBuffer, type LineSink } from './stdout-sink.js';

/** A piece of one input, cut at line starts, for a parse worker (see parallel-parse.ts). */
export interface ChunkJob {
  id: number;
  bytes: Uint8Array;
  /** Lines of `bytes` (0-based) the reader cut short. */
  overlong: number[];
  /** Input line number of the first line of `bytes`. */
  firstLine: number;
  /** Start a new audit parser (from `state`, or empty) instead of going on with the current one. */
  fresh: boolean;
  state?: AuditParserState;
  /** Lines just before `bytes`, fed to the new parser with their output dropped. */
  prefix?: { bytes: Uint8Array; overlong: number[]; firstLine: number };
  /** Forget the eBPF tool adapters' state (no tool line has been accepted before this one). */
  resetTools: boolean;
  label?: string;
  now: number;
  /** End of the input after these lines: the audit parser lets go of what it holds. */
  end: boolean;
  /** Send the parser's state back (parallel mode). */
  wantState: boolean;
}

/** An output buffer of a ChunkResult, given back once written (the worker writes into it again). */
export interface GiveBack {
  giveBack: ArrayBuffer;
}

export interface ChunkResult {
  id: number;
  out: Uint8Array[];
  errors: string[];
  counts: ParseSummary;
  /** The state after the prefix, as stateKey text. */
  startKey?: string;
  endState?: AuditParserState;
  endKey?: string;
  /** A line went to an eBPF tool adapter. */
  sawTool: boolean;
  /** The worker that sent it (set by the main thread, which gives it its output buffers back). */
  worker?: number;
}

/**
 * The state as text, equal for two states exactly when a parser behaves the same from either:
 * entries in order, with line numbers (one input, so one line number is one record) and the
 * sibling fields merged so far. undefined and non-finite numbers are spelled out.
 */
export function stateKey(state: AuditParserState): string {
  return JSON.stringify(
    {
      held: state.held.map((h) => [h.line, h.deadline, h.raw, h.sibling ?? null]),
      early: state.early.map((e) => [e.key, e.line, e.deadline, e.fields, e.record]),
    },
    (_k, v: unknown) =>
      v === undefined ? '\u0000undefined' : typeof v === 'number' && !Number.isFinite(v) ? `\u0000${v}` : v,
  );
}

class TakeSink extends LineBuffer implements LineSink {
  flush(): Promise<void> {
    return Promise.resolve();
  }
}

function worker(options: ParseRunOptions): void {
  const port = parentPort;
  if (port === null) throw new Error('parse-worker runs as a worker thread');
  const sink = new TakeSink();
  let errors: string[] = [];
  let run = new ParseRun(options, sink, (text) => errors.push(text));
  port.on('message', (message: ChunkJob | GiveBack) => {
    if ('giveBack' in message) {
      sink.giveBack(Buffer.from(message.giveBack));
      return;
    }
    const job = message;
    if (job.resetTools) run = new ParseRun(options, sink, (text) => errors.push(text));
    run.sawTool = false;
    if (job.fresh) run.begin(job.label, job.state);
    let startKey: string | undefined;
    if (job.prefix !== undefined) {
      const { firstLine } = job.prefix;
      forEachLineBytes(job.prefix.bytes, job.prefix.overlong, (bytes, start, end, truncated, i) => {
        if (!run.warmBytes(bytes, start, end, truncated, firstLine + i, job.now)) run.sawTool = true;
      });
      run.takeAuditSkipped();
      startKey = stateKey(run.auditState());
    }
    forEachLineBytes(job.bytes, job.overlong, (bytes, start, end, truncated, i) =>
      run.lineBytes(bytes, start, end, truncated, job.firstLine + i, job.now),
    );
    if (job.end) run.end();
    const counts = run.takeSummary();
    counts.skipped += run.takeAuditSkipped();
    const endState = job.wantState ? run.auditState() : undefined;
    const out = sink.take();
    const result: ChunkResult = {
      id: job.id,
      out,
      errors,
      counts,
      startKey,
      endState,
      endKey: endState === undefined ? undefined : stateKey(endState),
      sawTool: run.sawTool,
    };
    errors = [];
    // Each output buffer is its own allocation: hand it over instead of copying.
    port.postMessage(
      result,
      out.map((b) => b.buffer as ArrayBuffer).filter((b, i, all) => all.indexOf(b) === i),
    );
  });
}

worker(workerData as ParseRunOptions);
