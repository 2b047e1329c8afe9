import { AuditStreamParser, type AuditOutput, type AuditParserOptions } from '@sandtrap/audit';
import {
  createToolAdapter,
  detectTool,
  type AdaptResult,
  type SecurityEvent,
  type ToolAdapter,
  type ToolName,
} from '@sandtrap/events';
import type { InputLine } from './line-reader.js';
import type { StdoutSink } from './stdout-sink.js';

export const PARSE_FORMATS = [
  'auto',
  'audit',
  'kmsg',
  'journald',
  'tetragon',
  'falco',
  'tracee',
  'inspektor-gadget',
] as const;
export type ParseFormat = (typeof PARSE_FORMATS)[number];

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

function isTool(format: ParseFormat): format is ToolName {
  return format === 'tetragon' || format === 'falco' || format === 'tracee' || format === 'inspektor-gadget';
}

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

/**
 * The `sandtrap parse` pipeline: each line goes to the audit parser or to an eBPF tool adapter
 * (chosen by --from, or per line in auto mode), events go out as JSON lines, errors as
 * `[FILE:]LINE: code: reason` on stderr.
 */
export class ParseRun {
  private readonly counts: ParseSummary = { parsed: 0, skipped: 0, errors: 0, lost: 0 };
  private readonly adapters = new Map<ToolName, ToolAdapter>();

  constructor(
    private readonly options: ParseRunOptions,
    private readonly out: StdoutSink,
    private readonly report: (text: string) => void,
  ) {}

  async consume(batches: AsyncIterable<InputLine[]>, label?: string): Promise<void> {
    // One audit parser per input: holds and serials do not cross files.
    const audit = new AuditStreamParser({
      host: this.options.host,
      bootId: this.options.bootId,
      source: AUDIT_SOURCE[this.options.from],
    });
    const where = label === undefined ? '' : `${label}:`;
    let lineNo = 0;
    const auditOutput = (outputs: AuditOutput[]) => {
      for (const o of outputs) {
        if (o.type === 'event') this.event(o.event);
        else if (o.type === 'lost') this.counts.lost += o.count;
        else this.error(`${where}${o.line}`, o.code, o.reason);
      }
    };
    for await (const batch of batches) {
      const now = Date.now();
      for (const { text, truncated } of batch) {
        lineNo++;
        if (truncated) {
          this.error(`${where}${lineNo}`, 'line_too_long', 'line longer than the reader bound');
          continue;
        }
        const from = this.options.from;
        if (isTool(from)) this.adapted(this.adapter(from).adaptLine(text), `${where}${lineNo}`);
        else {
          const detected = from === 'auto' ? detectJson(text) : undefined;
          if (detected === undefined) auditOutput(audit.push(text, lineNo, now));
          else this.adapted(this.adapter(detected.tool).adapt(detected.json, text), `${where}${lineNo}`);
        }
      }
      if (this.out.pending) await this.out.flush();
    }
    auditOutput(audit.flush());
    const s = audit.stats;
    this.counts.skipped += s.skipped;
  }

  summary(): ParseSummary {
    return { ...this.counts };
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
