import {
  AuditStreamParser,
  readText,
  type AuditParserOptions,
  type AuditParserState,
  type AuditSink,
  type ParsedAuditLine,
} from '@sandtrap/audit';
import {
  createToolAdapter,
  detectTool,
  type AdaptResult,
  type SecurityEvent,
  type ToolAdapter,
  type ToolName,
} from '@sandtrap/events';
import type { InputLine } from './line-reader.js';
import { isTool, type ParseFormat } from './parse-format.js';
import type { LineSink } from './stdout-sink.js';

export type { ParseFormat };

export interface ParseRunOptions {
  from: ParseFormat;
  host?: string;
  bootId?: string;
}

export interface ParseSummary {
  parsed: number;
  skipped: number;
  errors: number;
  lost: number;
}

const AUDIT_SOURCE: Partial<Record<ParseFormat, AuditParserOptions['source']>> = {
  audit: 'auditd',
  kmsg: 'kmsg',
  journald: 'journald',
};

/** An eBPF tool's JSON event, told apart from journald entries (which the audit parser reads). */
function detectJson(line: string): { tool: ToolName; json: unknown } | undefined {
  if (line.charCodeAt(0) !== 123 /* { */ || line.includes('"_TRANSPORT"')) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return undefined; // the audit parser reports it as malformed JSON
  }
  const tool = detectTool(json);
  return tool === undefined ? undefined : { tool, json };
}

const TRANSPORT_KEY = Buffer.from('"_TRANSPORT"');

// Audit lines read ahead of their outputs, as pushAuditBytesTo reads them: reading a few dozen
// lines in one loop, then pushing them in another, takes less time than line by line.
const READ_AHEAD = 64;

/** Where warm() sends the audit parser's outputs: nowhere (events are not even built). */
const DROP: AuditSink = {
  event: () => undefined,
  error: () => undefined,
  lost: () => undefined,
};

/**
 * The `sandtrap parse` pipeline: each line goes to the audit parser or to an eBPF tool adapter
 * (chosen by --from, or per line in auto mode), events go out as JSON lines, errors as
 * `[FILE:]LINE: code: reason` on stderr.
 */
export class ParseRun {
  private readonly counts: ParseSummary = { parsed: 0, skipped: 0, errors: 0, lost: 0 };
  private readonly adapters = new Map<ToolName, ToolAdapter>();
  private audit = this.newAuditParser();
  private where = '';
  /** Set once a line went to an eBPF tool adapter (adapters keep state across lines). */
  sawTool = false;
  // The audit parser's outputs: events written straight from their records, errors reported.
  private readonly auditSink: AuditSink = {
    event: (record, raw, sibling, _line, defaults) => {
      this.out.writeAuditRecord(record, raw, sibling, defaults);
      this.counts.parsed++;
    },
    error: (line, code, reason) => this.error(`${this.where}${line}`, code, reason),
    lost: (count) => {
      this.counts.lost += count;
    },
  };

  // Lines lineBytes read and has not pushed yet (pushReads), with their texts, numbers and clocks.
  private readonly reads = new Array<ParsedAuditLine | undefined>(READ_AHEAD).fill(undefined);
  private readonly readTexts = new Array<string>(READ_AHEAD).fill('');
  private readonly readLineNos = new Float64Array(READ_AHEAD);
  private readonly readNows = new Float64Array(READ_AHEAD);
  private pendingReads = 0;

  constructor(
    private readonly options: ParseRunOptions,
    private readonly out: LineSink,
    private readonly report: (text: string) => void,
  ) {}

  async consume(
    batches: AsyncIterable<InputLine[]>,
    label?: string,
    clock: () => number = Date.now,
  ): Promise<void> {
    this.begin(label);
    let lineNo = 0;
    for await (const batch of batches) {
      const now = clock();
      for (const { text, truncated } of batch) this.line(text, truncated, ++lineNo, now);
      if (this.out.pending) await this.out.flush();
    }
    this.end();
  }

  /** A new input: one audit parser per input, as holds and serials do not cross files. */
  begin(label?: string, state?: AuditParserState): void {
    this.pushReads();
    this.audit = this.newAuditParser();
    if (state !== undefined) this.audit.importState(state);
    this.where = label === undefined ? '' : `${label}:`;
  }

  /** One input line (without its newline); `truncated` when the reader cut it. */
  line(text: string, truncated: boolean, lineNo: number, now: number): void {
    this.pushReads();
    if (truncated) {
      this.error(`${this.where}${lineNo}`, 'line_too_long', 'line longer than the reader bound');
      return;
    }
    const from = this.options.from;
    if (isTool(from)) {
      this.sawTool = true;
      this.adapted(this.adapter(from).adaptLine(text), `${this.where}${lineNo}`);
    } else {
      const detected = from === 'auto' ? detectJson(text) : undefined;
      if (detected === undefined) this.audit.pushTo(this.auditSink, text, lineNo, now);
      else {
        this.sawTool = true;
        this.adapted(this.adapter(detected.tool).adapt(detected.json, text), `${this.where}${lineNo}`);
      }
    }
  }

  /**
   * line() of the line bytes[start, end), as UTF-8: audit lines are read from the bytes
   * (AuditStreamParser.pushBytesTo), anything an eBPF tool adapter may take is decoded first.
   */
  lineBytes(
    bytes: Buffer,
    start: number,
    end: number,
    truncated: boolean,
    lineNo: number,
    now: number,
  ): void {
    if (truncated || this.maybeTool(bytes, start, end)) {
      this.line(truncated ? '' : bytes.toString('utf8', start, end), truncated, lineNo, now);
      return;
    }
    // pushBytesTo in two halves: read now, pushed with the lines read after it (pushReads).
    const n = this.pendingReads;
    const read = this.audit.readBytes(bytes, start, end);
    this.reads[n] = read;
    this.readTexts[n] = readText(read, bytes, start, end);
    this.readLineNos[n] = lineNo;
    this.readNows[n] = now;
    this.pendingReads = n + 1;
    if (n + 1 === READ_AHEAD) this.pushReads();
  }

  /** The outputs of the lines lineBytes read ahead; every other use of the parser comes after. */
  private pushReads(): void {
    const n = this.pendingReads;
    this.pendingReads = 0;
    for (let k = 0; k < n; k++) {
      this.audit.pushReadTo(
        this.auditSink,
        this.reads[k],
        this.readTexts[k],
        this.readLineNos[k],
        this.readNows[k],
      );
      this.reads[k] = undefined;
    }
  }

  /** warm() of the line bytes[start, end). */
  warmBytes(
    bytes: Buffer,
    start: number,
    end: number,
    truncated: boolean,
    lineNo: number,
    now: number,
  ): boolean {
    this.pushReads();
    if (truncated) return true;
    if (this.maybeTool(bytes, start, end))
      return this.warm(bytes.toString('utf8', start, end), false, lineNo, now);
    this.audit.pushBytesTo(DROP, bytes, start, end, lineNo, now);
    return true;
  }

  /** Whether line() could give the line to an adapter (detectJson's first test, on bytes). */
  private maybeTool(bytes: Buffer, start: number, end: number): boolean {
    const from = this.options.from;
    if (isTool(from)) return true;
    if (from !== 'auto' || bytes[start] !== 123 /* { */ || start >= end) return false;
    // A view bounds the search to the line.
    return bytes.subarray(start, end).indexOf(TRANSPORT_KEY) < 0;
  }

  /**
   * Only feeds the audit parser, writing and counting nothing: brings a fresh parser to the
   * state another one had after the same lines. Returns false for a line an adapter would take.
   */
  warm(text: string, truncated: boolean, lineNo: number, now: number): boolean {
    this.pushReads();
    if (truncated) return true;
    const from = this.options.from;
    if (isTool(from) || (from === 'auto' && detectJson(text) !== undefined)) return false;
    this.audit.pushTo(DROP, text, lineNo, now);
    return true;
  }

  /** The audit parser's held state (see AuditParserState). */
  auditState(): AuditParserState {
    this.pushReads();
    return this.audit.exportState();
  }

  /** Audit records skipped so far in this input, then resets the count. */
  takeAuditSkipped(): number {
    this.pushReads();
    const skipped = this.audit.stats.skipped;
    this.audit.stats.skipped = 0;
    return skipped;
  }

  /** End of the input: what the audit parser still holds goes out. */
  end(): void {
    this.pushReads();
    this.audit.flushTo(this.auditSink);
    this.counts.skipped += this.takeAuditSkipped();
  }

  summary(): ParseSummary {
    this.pushReads();
    return { ...this.counts };
  }

  /** Returns the counts so far and starts again from zero. */
  takeSummary(): ParseSummary {
    this.pushReads();
    const s = { ...this.counts };
    this.counts.parsed = this.counts.skipped = this.counts.errors = this.counts.lost = 0;
    return s;
  }

  private newAuditParser(): AuditStreamParser {
    return new AuditStreamParser({
      host: this.options.host,
      bootId: this.options.bootId,
      source: AUDIT_SOURCE[this.options.from],
    });
  }

  private adapter(tool: ToolName): ToolAdapter {
    let adapter = this.adapters.get(tool);
    if (adapter === undefined) {
      adapter = createToolAdapter(tool, { host: this.options.host });
      this.adapters.set(tool, adapter);
    }
    return adapter;
  }

  private adapted(result: AdaptResult, where: string): void {
    if (!result.ok) this.error(where, result.error.code, result.error.message);
    else if (result.event === null) this.counts.skipped++;
    else this.event(result.event);
  }

  private event(event: SecurityEvent): void {
    this.counts.parsed++;
    this.out.write(JSON.stringify(event));
  }

  private error(where: string, code: string, reason: string): void {
    this.counts.errors++;
    this.report(`${where}: ${code}: ${reason}`);
  }
}
