import type { SecurityEvent } from '../security-event.js';
import { validateSecurityEvent } from '../validation/validate-security-event.js';
import { boundRaw } from '../wire/bound-raw.js';
import { stableEventKey } from '../wire/stable-event-key.js';
import { AdapterError } from './adapter-error.js';
import { adaptFalco } from './falco.adapter.js';
import { adaptInspektorGadget } from './inspektor-gadget.adapter.js';
import { asObject, readString, type SourceObject } from './source-reader.js';
import { TetragonAdapter } from './tetragon.adapter.js';
import { adaptTracee } from './tracee.adapter.js';

export type ToolName = 'tetragon' | 'falco' | 'tracee' | 'inspektor-gadget';
export const TOOL_NAMES: readonly ToolName[] = ['tetragon', 'falco', 'tracee', 'inspektor-gadget'];

export type AdaptResult =
  { ok: true; event: SecurityEvent | null } | { ok: false; error: { code: string; message: string } };

export interface ToolAdapter {
  /** Maps one parsed event; `raw` is the original text when the caller has it. */
  adapt(json: unknown, raw?: string): AdaptResult;
  /** Maps one NDJSON line; a blank line is no event. */
  adaptLine(line: string): AdaptResult;
}

export interface ToolAdapterOptions {
  /** Host for events that do not name one (and for all events when `forceHost` is set). */
  host?: string;
  /** Use `host` even when the event names its own node (the agent's enrolled name wins). */
  forceHost?: boolean;
  /** Clock for sources that carry no time of their own (old Inspektor Gadget). */
  now?: () => number;
  /**
   * Refuse events further ahead than this (code `invalid_event`). Default: no limit, because the
   * time window is the consumer's rule (the API answers with its own codes).
   */
  maxFutureSkewMs?: number;
}

/** A longer line is refused before parsing: no tool writes single events that large. */
export const LINE_MAX_CHARS = 1024 * 1024;

/** What an adapter fills in; the wrapper adds the key, host, raw and `blocked`. */
export type AdaptedFields = Omit<SecurityEvent, 'eventKey' | 'host' | 'blocked' | 'raw' | 'source'> & {
  /** The host the event names, if any. */
  sourceHost?: string;
};

export interface AdapterContext {
  now: () => number;
}

type AdaptFunction = (json: SourceObject, context: AdapterContext, raw?: string) => AdaptedFields | null;

function adapterFor(tool: ToolName): AdaptFunction {
  switch (tool) {
    case 'tetragon': {
      const tetragon = new TetragonAdapter();
      return (json) => tetragon.adapt(json);
    }
    case 'falco':
      return adaptFalco;
    case 'tracee':
      return adaptTracee;
    case 'inspektor-gadget':
      return adaptInspektorGadget;
  }
}

function failure(error: unknown): AdaptResult {
  if (error instanceof AdapterError)
    return { ok: false, error: { code: error.code, message: error.message } };
  const message = error instanceof Error ? error.message : String(error);
  return { ok: false, error: { code: 'adapter_failed', message: `could not map the event: ${message}` } };
}

/**
 * One adapter per stream: Tetragon's keeps a process cache fed by process_exec events, so use
 * the same adapter for all lines of one source.
 */
export function createToolAdapter(tool: ToolName, options: ToolAdapterOptions = {}): ToolAdapter {
  const adaptFields = adapterFor(tool);
  const optionHost = readString(options.host, 253);
  const context: AdapterContext = { now: options.now ?? Date.now };
  const adapt = (json: unknown, raw?: string): AdaptResult => {
    try {
      const object = asObject(json);
      if (object === undefined)
        throw new AdapterError('not_an_object', `a ${tool} event must be a JSON object`);
      const fields = adaptFields(object, context, raw);
      if (fields === null) return { ok: true, event: null };
      const { sourceHost, ...rest } = fields;
      const host = options.forceHost === true ? (optionHost ?? sourceHost) : (sourceHost ?? optionHost);
      if (host === undefined) {
        throw new AdapterError('no_host', `the ${tool} event names no host and no host option was given`);
      }
      const candidate = {
        ...rest,
        eventKey: stableEventKey(tool, object),
        host,
        source: tool,
        raw: boundRaw(raw ?? JSON.stringify(object)),
      };
      const checked = validateSecurityEvent(candidate, {
        maxFutureSkewMs: options.maxFutureSkewMs ?? Number.MAX_SAFE_INTEGER,
        now: context.now,
      });
      if (!checked.ok) {
        const first = checked.errors.map((e) => `${e.pointer} ${e.message}`).join('; ');
        throw new AdapterError('invalid_event', `the mapped ${tool} event is invalid: ${first}`);
      }
      return { ok: true, event: checked.event };
    } catch (error) {
      return failure(error);
    }
  };
  return {
    adapt,
    adaptLine(line: string): AdaptResult {
      if (typeof line !== 'string')
        return failure(new AdapterError('invalid_json', 'a line must be a string'));
      if (line.length > LINE_MAX_CHARS) {
        return failure(
          new AdapterError('line_too_long', `line of ${line.length} characters exceeds ${LINE_MAX_CHARS}`),
        );
      }
      const text = line.trim();
      if (text.length === 0) return { ok: true, event: null };
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        const reason = error instanceof Error ? error.message : 'parse error';
        return failure(new AdapterError('invalid_json', `not JSON: ${reason.slice(0, 200)}`));
      }
      return adapt(json, text);
    },
  };
}
