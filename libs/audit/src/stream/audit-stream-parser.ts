import type { SecurityEvent } from '@sandtrap/events';
import { AuditParseError, type AuditErrorCode } from '../audit-error.js';
import { byteLine, parseLineBytes } from '../line/byte-line.js';
import { parseLine } from '../line/parse-audit-line.js';
import { DEFAULT_MAX_LINE_BYTES, type ParsedAuditLine } from '../line/parsed-audit-line.js';
import { utf8Text } from '../record/byte-text.js';
import type { AuditRecord, SiblingFields } from '../record/audit-record.js';
import { seccompEvent, type EventDefaults } from './seccomp-event.js';
import { HeldEvents } from './held-events.js';

export interface AuditParserOptions {
  /** Default host when the line does not name one. */
  host?: string;
  bootId?: string;
  /** Force the event source; default: from the detected shape. */
  source?: 'auditd' | 'kmsg' | 'journald';
  /** How long a SECCOMP event may wait for its sibling records (default 50). */
  holdMs?: number;
  /** Default 65536; longer lines give error 'line_too_long'. */
  maxLineBytes?: number;
  /**
   * Most events held at once; the oldest is released beyond it (default 256). auditd writes an
   * event's records next to each other, so a short window finds the siblings, and short-lived
   * holds keep the parser's garbage young (measured: 4096 cost 2x in GC at 1M lines/s).
   */
  maxHeld?: number;
}

export type AuditOutput =
  | { type: 'event'; event: SecurityEvent; line: number }
  | { type: 'lost'; count: number; line: number }
  | { type: 'error'; line: number; code: AuditErrorCode; reason: string };

/**
 * Takes a parser's outputs as they come (AuditStreamParser.pushTo), in the order push would
 * return them, without an AuditOutput object or SecurityEvent per event.
 */
export interface AuditSink {
  /**
   * A SECCOMP record and what its siblings added: the event seccompEvent(record, raw, sibling,
   * defaults) makes. Throwing (AuditParseError where seccompEvent throws one) turns it into
   * the error output on `line`, as push does.
   */
  event(
    record: AuditRecord,
    raw: string,
    sibling: SiblingFields | undefined,
    line: number,
    defaults: EventDefaults,
  ): void;
  error(line: number, code: AuditErrorCode, reason: string): void;
  lost(count: number, line: number): void;
}

/** The sink of push, tick and flush: outputs as AuditOutput objects. */
class OutputArray implements AuditSink {
  constructor(readonly out: AuditOutput[]) {}

  event(
    record: AuditRecord,
    raw: string,
    sibling: SiblingFields | undefined,
    line: number,
    defaults: EventDefaults,
  ): void {
    const event = seccompEvent(record, raw, sibling, defaults);
    this.out.push({ type: 'event', event, line });
  }

  error(line: number, code: AuditErrorCode, reason: string): void {
    this.out.push({ type: 'error', line, code, reason });
  }

  lost(count: number, line: number): void {
    this.out.push({ type: 'lost', count, line });
  }
}

/** A sink that appends AuditOutput objects to `out` (what push returns, in that order). */
export function auditOutputSink(out: AuditOutput[]): AuditSink {
  return new OutputArray(out);
}

export interface AuditParserStats {
  lines: number;
  events: number;
  skipped: number;
  errors: number;
  lost: number;
}

interface Early {
  record: AuditRecord;
  fields: SiblingFields;
  deadline: number;
  /** Line of the first sibling record (with the same input, the same line means the same record). */
  line: number;
}

/**
 * What a parser holds between lines, as plain data (structured-clone safe): the held SECCOMP
 * events in queue order and the early siblings in Map order. A parser given this state and then
 * the same lines gives the same outputs as the parser it came from (stats and the running line
 * count are not part of it: pass line numbers to push).
 */
export interface AuditParserState {
  held: {
    record: AuditRecord;
    raw: string;
    line: number;
    deadline: number;
    sibling: SiblingFields | undefined;
  }[];
  early: { key: number; record: AuditRecord; fields: SiblingFields; deadline: number; line: number }[];
}

/** Records of one event share stamp, serial and host. */
function sameEvent(a: AuditRecord, b: AuditRecord): boolean {
  return a.serial === b.serial && a.sec === b.sec && a.msec === b.msec && a.host === b.host;
}

function merge(into: SiblingFields | undefined, from: SiblingFields): SiblingFields {
  if (into === undefined) return { ...from };
  // PROCTITLE is the better command line; EXECVE's only fills a gap.
  for (const [k, v] of Object.entries(from) as [keyof SiblingFields, never][]) {
    if (v !== undefined && (into[k] === undefined || k !== 'cmdline')) into[k] = v;
  }
  return into;
}

/**
 * Turns audit lines into SecurityEvents. A SECCOMP record waits at most `holdMs` (or until its
 * EOE) for sibling records of the same event to add cmdline, ppid, cwd and container id.
 */
export class AuditStreamParser {
  private readonly holdMs: number;
  private readonly maxHeld: number;
  private readonly maxLineBytes: number;
  // The held SECCOMP events in insertion order, found by serial.
  private readonly held: HeldEvents;
  // Siblings that came before their SECCOMP record (auditd orders records by emission).
  private readonly early = new Map<number, Early>();
  private lineCount = 0;
  // Deadline of the oldest held entry (held or early), so most pushes skip expiry in one compare.
  private nextDeadline = Infinity;
  // Outputs of the line being pushed, copied out at the end of push.
  private readonly scratch: AuditOutput[] = [];
  private readonly scratchSink = new OutputArray(this.scratch);
  readonly stats: AuditParserStats = { lines: 0, events: 0, skipped: 0, errors: 0, lost: 0 };

  constructor(private readonly options: AuditParserOptions = {}) {
    this.holdMs = Math.max(0, options.holdMs ?? 50);
    this.maxHeld = Math.max(1, options.maxHeld ?? 256);
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.held = new HeldEvents(Math.min(this.maxHeld + 1, 4096));
  }

  /** One line (without its newline). lineNo defaults to a running count starting at 1. nowMs defaults to Date.now(). */
  push(line: string, lineNo?: number, nowMs: number = Date.now()): AuditOutput[] {
    this.clearScratch();
    this.pushTo(this.scratchSink, line, lineNo, nowMs);
    return this.takeScratch();
  }

  private clearScratch(): void {
    // Empty between pushes; setting length is a call, so only when needed.
    if (this.scratch.length !== 0) this.scratch.length = 0;
  }

  /** What went to scratchSink since clearScratch, as a fresh array. */
  private takeScratch(): AuditOutput[] {
    const out = this.scratch;
    // A fresh array of the exact size: an empty literal grown by push reserves 17 slots, and
    // most lines give no output or one.
    const n = out.length;
    if (n === 0) return [];
    if (n === 1) return [out.pop() as AuditOutput];
    const result = out.slice();
    out.length = 0;
    return result;
  }

  /** push, with the outputs given to `sink` as they come instead of returned. */
  pushTo(sink: AuditSink, line: string, lineNo?: number, nowMs: number = Date.now()): void {
    this.take(sink, parseLine(line, this.maxLineBytes, this.options.bootId), line, lineNo, nowMs);
  }

  /**
   * push of the line bytes[start, end) (without its newline; a CR before it is the caller's to
   * drop, as for push), read from the bytes: the outputs are those of push(the line decoded as
   * UTF-8), with no string made for the line but the event's `raw`. Lines the byte reader
   * does not take (see byte-line.ts) are decoded and pushed.
   */
  pushBytes(
    bytes: Uint8Array,
    start: number,
    end: number,
    lineNo?: number,
    nowMs: number = Date.now(),
  ): AuditOutput[] {
    this.clearScratch();
    this.pushBytesTo(this.scratchSink, bytes, start, end, lineNo, nowMs);
    return this.takeScratch();
  }

  /** pushBytes, with the outputs given to `sink` as they come instead of returned. */
  pushBytesTo(
    sink: AuditSink,
    bytes: Uint8Array,
    start: number,
    end: number,
    lineNo?: number,
    nowMs: number = Date.now(),
  ): void {
    const read = this.readBytes(bytes, start, end);
    this.pushReadTo(sink, read, readText(read, bytes, start, end), lineNo, nowMs);
  }

  /**
   * The first half of pushBytesTo: the line bytes[start, end) as the byte reader reads it, or
   * undefined when the string parser is to read it. It depends on the line and the options
   * only, not on what the parser holds, so lines can be read ahead of their pushReadTo.
   */
  readBytes(bytes: Uint8Array, start: number, end: number): ParsedAuditLine | undefined {
    try {
      return parseLineBytes(bytes, start, end, this.maxLineBytes, this.options.bootId);
    } catch {
      // A bug in the byte reader costs speed, not the outputs: the string parser reads the line.
      return undefined;
    }
  }

  /** The second half of pushBytesTo: the outputs of a line readBytes read; `text` is readText's. */
  pushReadTo(
    sink: AuditSink,
    read: ParsedAuditLine | undefined,
    text: string,
    lineNo: number | undefined,
    nowMs: number,
  ): void {
    if (read === undefined) this.pushTo(sink, text, lineNo, nowMs);
    else this.take(sink, read, text, lineNo, nowMs);
  }

  /** The outputs of one parsed line; `line` is the line's text when it is a record. */
  private take(
    sink: AuditSink,
    parsed: ParsedAuditLine,
    line: string,
    lineNo: number | undefined,
    nowMs: number,
  ): void {
    this.lineCount++;
    this.stats.lines++;
    const at = lineNo ?? this.lineCount;
    if (nowMs >= this.nextDeadline) this.expire(nowMs, sink);
    switch (parsed.kind) {
      case 'skip':
        this.stats.skipped++;
        break;
      case 'error':
        this.error(sink, at, parsed.code, parsed.reason);
        break;
      case 'lost':
        this.stats.lost += parsed.count;
        sink.lost(parsed.count, at);
        break;
      case 'record':
        this.record(parsed.record, line, at, nowMs, sink);
        break;
    }
  }

  /** Emit events held longer than holdMs. The agent calls it on a timer. */
  tick(nowMs: number = Date.now()): AuditOutput[] {
    const out: AuditOutput[] = [];
    this.expire(nowMs, new OutputArray(out));
    return out;
  }

  /** End of input: emit everything held. */
  flush(): AuditOutput[] {
    const out: AuditOutput[] = [];
    this.flushTo(new OutputArray(out));
    return out;
  }

  /** flush, with the outputs given to `sink`. */
  flushTo(sink: AuditSink): void {
    for (let at = this.held.oldest(); at >= 0; at = this.held.oldest()) this.releaseHeld(at, sink);
    this.early.clear();
    this.nextDeadline = Infinity;
  }

  /** The held state as plain data (see AuditParserState); the parser itself is unchanged. */
  exportState(): AuditParserState {
    const held: AuditParserState['held'] = [];
    const h = this.held;
    for (const at of h.positions())
      held.push({
        record: h.record(at),
        raw: h.raw(at),
        line: h.line(at),
        deadline: h.deadline(at),
        sibling: h.sibling(at),
      });
    const early: AuditParserState['early'] = [];
    for (const [key, e] of this.early)
      early.push({ key, record: e.record, fields: e.fields, deadline: e.deadline, line: e.line });
    return { held, early };
  }

  /** Replaces what this parser holds with an exported state (a copy is taken). */
  importState(state: AuditParserState): void {
    this.held.clear();
    this.early.clear();
    let next = Infinity;
    for (const h of state.held) {
      this.held.add(
        h.record,
        h.raw,
        h.line,
        h.deadline,
        h.sibling === undefined ? undefined : { ...h.sibling },
      );
      if (h.deadline < next) next = h.deadline;
    }
    for (const e of state.early) {
      this.early.set(e.key, {
        record: e.record,
        fields: { ...e.fields },
        deadline: e.deadline,
        line: e.line,
      });
      if (e.deadline < next) next = e.deadline;
    }
    this.nextDeadline = next;
  }

  private record(record: AuditRecord, raw: string, line: number, nowMs: number, sink: AuditSink): void {
    // Keyed by serial alone (a number hashes cheaply); a clash with another stamp or host is checked.
    const key = record.serial;
    const held = this.held.find(key);
    if (record.seccomp !== undefined) {
      // A second copy of one record (journald's kernel and audit transports) releases the first.
      if (held >= 0) this.releaseHeld(held, sink);
      const deadline = nowMs + this.holdMs;
      let sibling: SiblingFields | undefined;
      // Most streams have no early siblings: skip the lookup then.
      const early = this.early.size === 0 ? undefined : this.early.get(key);
      if (early !== undefined) {
        if (sameEvent(early.record, record)) sibling = early.fields;
        this.early.delete(key);
      }
      if (this.holdMs === 0) {
        this.emit(record, raw, sibling, line, sink);
        return;
      }
      this.held.add(record, raw, line, deadline, sibling);
      if (deadline < this.nextDeadline) this.nextDeadline = deadline;
      if (this.held.size > this.maxHeld) {
        const oldest = this.held.oldest();
        if (oldest >= 0) this.releaseHeld(oldest, sink);
      }
      return;
    }
    this.stats.skipped++;
    const mine = held >= 0 && sameEvent(this.held.record(held), record) ? held : -1;
    if (record.typeName === 'EOE') {
      if (mine >= 0) this.releaseHeld(mine, sink);
      this.early.delete(key);
      return;
    }
    if (record.sibling === undefined) return;
    if (mine >= 0) {
      this.held.setSibling(mine, merge(this.held.sibling(mine), record.sibling));
      return;
    }
    const early = this.early.get(key);
    if (early !== undefined && sameEvent(early.record, record))
      early.fields = merge(early.fields, record.sibling);
    else {
      this.early.delete(key);
      this.early.set(key, { record, fields: { ...record.sibling }, deadline: nowMs + this.holdMs, line });
      if (nowMs + this.holdMs < this.nextDeadline) this.nextDeadline = nowMs + this.holdMs;
      if (this.early.size > this.maxHeld) this.early.delete(this.early.keys().next().value as number);
    }
  }

  private expire(nowMs: number, sink: AuditSink): void {
    // Maps iterate in insertion order and deadlines grow with it, so stop at the first young one.
    let next = Infinity;
    for (let at = this.held.oldest(); at >= 0; at = this.held.oldest()) {
      const deadline = this.held.deadline(at);
      if (deadline > nowMs) {
        next = deadline;
        break;
      }
      this.releaseHeld(at, sink);
    }
    for (const key of this.early.keys()) {
      const deadline = (this.early.get(key) as Early).deadline;
      if (deadline > nowMs) {
        if (deadline < next) next = deadline;
        break;
      }
      this.early.delete(key);
    }
    this.nextDeadline = next;
  }

  /** Emit the held event at position `at` and stop holding it. */
  private releaseHeld(at: number, sink: AuditSink): void {
    const held = this.held;
    const record = held.record(at);
    const raw = held.raw(at);
    const sibling = held.sibling(at);
    const line = held.line(at);
    held.remove(at);
    this.emit(record, raw, sibling, line, sink);
  }

  private emit(
    record: AuditRecord,
    raw: string,
    sibling: SiblingFields | undefined,
    line: number,
    sink: AuditSink,
  ): void {
    try {
      sink.event(record, raw, sibling, line, this.options);
      this.stats.events++;
    } catch (error) {
      // Garbage never stops the stream, even through a bug: report it on its line.
      if (error instanceof AuditParseError) this.error(sink, line, error.code, error.message);
      else this.error(sink, line, 'malformed_record', `unparseable: ${(error as Error).message}`);
    }
  }

  private error(sink: AuditSink, line: number, code: AuditErrorCode, reason: string): void {
    this.stats.errors++;
    sink.error(line, code, reason);
  }
}

/**
 * The text pushReadTo needs with what readBytes gave for bytes[start, end), taken before the
 * next line is read: the line decoded (for the string parser), the record's line (its raw), or
 * none.
 */
export function readText(
  read: ParsedAuditLine | undefined,
  bytes: Uint8Array,
  start: number,
  end: number,
): string {
  return read === undefined ? utf8Text(bytes, start, end) : read.kind === 'record' ? byteLine.text : '';
}

/** Whole text at once (the ingest endpoint): push every line, then flush. */
export function parseAuditText(text: string, options?: AuditParserOptions): AuditOutput[] {
  const parser = new AuditStreamParser(options);
  const out: AuditOutput[] = [];
  // Every output straight into `out`: no array per line.
  const sink = new OutputArray(out);
  let start = 0;
  const now = Date.now();
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    // One clock reading for the whole text: held events wait for siblings in the same body, then flush.
    parser.pushTo(sink, line, undefined, now);
    start = end + 1;
  }
  parser.flushTo(sink);
  return out;
}
