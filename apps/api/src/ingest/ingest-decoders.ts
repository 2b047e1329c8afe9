import { createToolAdapter, validateSecurityEvent, type SecurityEvent } from '@sandtrap/events';
import type { DecodedBatch, IngestCandidate, IngestProblem } from './ingest-batch.js';
import { INGEST_MAX_EVENTS, splitBodyLines, type BodyLine } from './ingest-body.js';
import { IngestBodyError } from './ingest.errors.js';

/** The host for events that name none; `forceHost` for agents, whose enrolled name wins. */
export interface HostHint {
  host?: string;
  forceHost?: boolean;
}

export const TOOL_SOURCES = ['tetragon', 'tracee', 'inspektor-gadget'] as const;
export type ToolSource = (typeof TOOL_SOURCES)[number];

/** Postgres text and jsonb cannot hold U+0000: such a line is refused rather than failing the batch. */
function holdsNul(text: string): boolean {
  return text.includes('\u0000') || text.includes('\\u0000');
}

function tooMany(count: number): void {
  if (count > INGEST_MAX_EVENTS) {
    throw new IngestBodyError(
      'too_many_events',
      `A request holds at most ${INGEST_MAX_EVENTS} events; this one has ${count}`,
    );
  }
}

/** Reads lines one by one; `decode` answers an event, null (not an event of ours) or a problem. */
function decodeLines(
  source: string,
  lines: BodyLine[],
  decode: (text: string) => SecurityEvent | null | { code: string; message: string },
): DecodedBatch {
  tooMany(lines.length);
  const candidates: IngestCandidate[] = [];
  const problems: IngestProblem[] = [];
  lines.forEach((l, index) => {
    const problem = (code: string, message: string) => problems.push({ index, line: l.line, code, message });
    if (l.text === undefined) return problem('invalid_utf8', 'The line is not valid UTF-8');
    if (holdsNul(l.text)) return problem('invalid_text', 'The line holds a NUL character');
    const out = decode(l.text);
    if (out === null) return;
    if ('eventKey' in out) candidates.push({ index, line: l.line, event: out });
    else problem(out.code, out.message);
  });
  return { source, candidates, problems, lostRecords: 0 };
}

/** `POST /v1/ingest/events`: NDJSON of SecurityEvents. */
export function decodeSecurityEvents(body: Buffer): DecodedBatch {
  return decodeLines('events', splitBodyLines(body), (text) => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      return { code: 'invalid_json', message: `Not JSON: ${(error as Error).message}` };
    }
    // The time window is the service's rule (too_old / in_future codes), not the validator's.
    const checked = validateSecurityEvent(json, { maxFutureSkewMs: Number.MAX_SAFE_INTEGER });
    if (checked.ok) return checked.event;
    return {
      code: 'invalid_event',
      message: checked.errors.map((e) => `${e.pointer || '/'}: ${e.message}`).join('; '),
    };
  });
}

/** `POST /v1/ingest/{tetragon,tracee,inspektor-gadget}`: NDJSON of that tool's events. */
export function decodeToolEvents(tool: ToolSource, body: Buffer, host: HostHint): DecodedBatch {
  const adapter = createToolAdapter(tool, host);
  return decodeLines(tool, splitBodyLines(body), (text) => {
    const out = adapter.adaptLine(text);
    return out.ok ? out.event : out.error;
  });
}

/** `POST /v1/ingest/falco`: one alert as Falco's http_output posts it. */
export function decodeFalcoAlert(json: unknown, host: HostHint): DecodedBatch {
  const batch: DecodedBatch = { source: 'falco', candidates: [], problems: [], lostRecords: 0 };
  const out = createToolAdapter('falco', host).adapt(json);
  if (!out.ok) batch.problems.push({ index: 0, ...out.error });
  else if (out.event && holdsNul(JSON.stringify(out.event))) {
    batch.problems.push({ index: 0, code: 'invalid_text', message: 'The alert holds a NUL character' });
  } else if (out.event) batch.candidates.push({ index: 0, event: out.event });
  return batch;
}
