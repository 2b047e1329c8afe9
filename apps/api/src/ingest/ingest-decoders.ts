import { parseAuditText } from '@sandtrap/audit';
import {
  createToolAdapter,
  splitContainerAnnotation,
  validateSecurityEvent,
  withContainer,
  type EventContainer,
  type SecurityEvent,
} from '@sandtrap/events';
import { EventScanner } from './event-scanner.js';
import type { ScannedEvent } from './scanned-event.js';
import type { DecodedBatch, IngestCandidate, IngestProblem } from './ingest-batch.js';
import { INGEST_MAX_EVENTS, forEachBodyLine, maxBodyLines, splitBodyLines } from './ingest-body.js';
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

/**
 * Reads lines one by one; `decode` answers an event, null (not an event of ours) or a problem.
 * `scan`, when given, reads a line's bytes first; a line it does not take is decoded.
 */
function decodeLines(
  source: string,
  body: Buffer,
  decode: (text: string) => SecurityEvent | null | { code: string; message: string },
  scan?: (start: number, end: number) => ScannedEvent | undefined,
): DecodedBatch {
  const candidates: IngestCandidate[] = [];
  const problems: IngestProblem[] = [];
  let index = 0;
  const visit = (line: number, text: string | undefined): void => {
    const at = index++;
    if (text === undefined) {
      problems.push({ index: at, line, code: 'invalid_utf8', message: 'The line is not valid UTF-8' });
    } else if (holdsNul(text)) {
      problems.push({ index: at, line, code: 'invalid_text', message: 'The line holds a NUL character' });
    } else {
      const out = decode(text);
      if (out === null) return;
      if ('eventKey' in out) candidates.push({ index: at, line, event: out });
      else problems.push({ index: at, line, code: out.code, message: out.message });
    }
  };
  // A body that cannot hold too many lines is read line by line, each line's string garbage as
  // soon as it is decoded; only a body that might is split first, to count its lines exactly.
  if (maxBodyLines(body) <= INGEST_MAX_EVENTS) {
    const claim =
      scan &&
      ((line: number, start: number, end: number): boolean => {
        const event = scan(start, end);
        if (event === undefined) return false;
        event.index = index++;
        event.line = line;
        candidates.push(event); // its own candidate: event.event is itself
        return true;
      });
    forEachBodyLine(body, visit, claim);
  } else {
    const lines = splitBodyLines(body);
    tooMany(lines.length);
    for (const l of lines) visit(l.line, l.text);
  }
  return { source, candidates, problems, lostRecords: 0 };
}

/**
 * `POST /v1/ingest/events`: NDJSON of SecurityEvents. Lines the byte scanner reads whole become
 * ScannedEvents (event-scanner.ts); the others are parsed and validated here, as before. `fast`
 * false: every line the ordinary way (for tests comparing the two).
 */
export function decodeSecurityEvents(body: Buffer, fast = true): DecodedBatch {
  if (!fast) return decodeLines('events', body, decodeEventLine);
  const scanner = new EventScanner(body);
  const batch = decodeLines('events', body, decodeEventLine, (start, end) => scanner.scan(start, end));
  batch.release = () => scanner.release();
  return batch;
}

function decodeEventLine(text: string): SecurityEvent | { code: string; message: string } {
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
}

/** `POST /v1/ingest/{tetragon,tracee,inspektor-gadget}`: NDJSON of that tool's events. */
export function decodeToolEvents(tool: ToolSource, body: Buffer, host: HostHint): DecodedBatch {
  const adapter = createToolAdapter(tool, host);
  return decodeLines(tool, body, (text) => {
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

/** `POST /v1/ingest/audit`: raw audit text in any of the shapes libs/audit reads. */
export function decodeAuditText(
  body: Buffer,
  host: string | undefined,
  bootId: string | undefined,
): DecodedBatch {
  const batch: DecodedBatch = { source: 'audit', candidates: [], problems: [], lostRecords: 0 };
  const lines = splitBodyLines(body);
  tooMany(lines.length);
  const good: string[] = [];
  const lineOf: number[] = [];
  // The container the agent read for a line's process (container-annotation.ts), by good line.
  const containerOf: (EventContainer | undefined)[] = [];
  for (const l of lines) {
    if (l.text === undefined || l.text.includes('\u0000')) {
      const code = l.text === undefined ? 'invalid_utf8' : 'invalid_text';
      batch.problems.push({
        index: l.line - 1,
        line: l.line,
        code,
        message: `Line ${l.line} is not valid UTF-8 text`,
      });
      continue;
    }
    const split = splitContainerAnnotation(l.text);
    if (!split.ok) {
      batch.problems.push({
        index: l.line - 1,
        line: l.line,
        code: 'invalid_annotation',
        message: split.message,
      });
      continue;
    }
    if (split.container !== undefined) containerOf[good.length] = split.container;
    good.push(split.line);
    lineOf.push(l.line);
  }
  const outputs = parseAuditText(good.join('\n'), {
    ...(host ? { host } : {}),
    ...(bootId ? { bootId } : {}),
  });
  for (const o of outputs) {
    // libs/audit numbers the lines of the text it was given; map them back to the request's lines.
    const line = lineOf[o.line - 1] ?? o.line;
    switch (o.type) {
      case 'event':
        if (!o.event.host) {
          batch.problems.push({
            index: line - 1,
            line,
            code: 'missing_host',
            message: 'The line names no host: add ?host=NAME',
          });
        } else {
          // As the agent's own enrichment does: a container the record named wins.
          const event = withContainer(o.event, containerOf[o.line - 1]);
          batch.candidates.push({ index: line - 1, line, event });
        }
        break;
      case 'lost':
        batch.lostRecords += o.count;
        break;
      case 'error':
        batch.problems.push({ index: line - 1, line, code: o.code, message: o.reason });
        break;
    }
  }
  return batch;
}
