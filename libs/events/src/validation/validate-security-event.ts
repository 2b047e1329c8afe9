import {
  EVENT_ACTIONS,
  EVENT_KINDS,
  EVENT_SOURCES,
  RAW_MAX_BYTES,
  isBlockingAction,
  type EventContainer,
  type EventProcess,
  type EventSyscall,
  type SecurityEvent,
} from '../security-event.js';
import { checkDetails } from './details-check.js';
import {
  checkBoolean,
  checkEnum,
  checkInteger,
  checkOptionalObject,
  checkString,
  isPlainObject,
} from './field-checks.js';
import { parseIsoTimestamp } from './observed-at.js';
import type { FieldError } from './validation-error.js';

export const EVENT_KEY_MAX_CHARS = 256;
export const HOST_MAX_CHARS = 253;
export const DEFAULT_MAX_FUTURE_SKEW_MS = 24 * 60 * 60 * 1000;

const U32_MAX = 4294967295;
const PID_MAX = 2147483647;

export interface ValidateOptions {
  /** How far ahead of `now` an observedAt may be (clock skew). Default 24 h. */
  maxFutureSkewMs?: number;
  /** The clock, for tests. */
  now?: () => number;
}

export type ValidationResult = { ok: true; event: SecurityEvent } | { ok: false; errors: FieldError[] };

// Each field with its JSON pointer, written once here rather than per event.
type ProcessIntegerField = 'pid' | 'tid' | 'ppid' | 'uid' | 'gid' | 'auid' | 'ses';
const PROCESS_INTEGERS: readonly [ProcessIntegerField, number, string][] = (
  [
    ['pid', PID_MAX],
    ['tid', PID_MAX],
    ['ppid', PID_MAX],
    ['uid', U32_MAX],
    ['gid', U32_MAX],
    ['auid', U32_MAX],
    ['ses', U32_MAX],
  ] as const
).map(([field, max]) => [field, max, `/process/${field}`]);
const PROCESS_STRINGS: readonly ['comm' | 'exe' | 'cmdline', string][] = (
  ['comm', 'exe', 'cmdline'] as const
).map((field) => [field, `/process/${field}`]);
const CONTAINER_STRINGS: readonly [keyof EventContainer, string][] = (
  ['id', 'name', 'image', 'pod', 'namespace'] as const
).map((field) => [field, `/container/${field}`]);
const TEXT_FIELDS: readonly ['policy' | 'rule' | 'severity', string][] = (
  ['policy', 'rule', 'severity'] as const
).map((field) => [field, `/${field}`]);

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function validateProcess(input: Record<string, unknown>, errors: FieldError[]): EventProcess {
  const out: EventProcess = {};
  for (const [field, max, pointer] of PROCESS_INTEGERS) {
    if (present(input[field])) {
      const value = checkInteger(input[field], pointer, errors, 0, max);
      if (value !== undefined) out[field] = value;
    }
  }
  for (const [field, pointer] of PROCESS_STRINGS) {
    if (present(input[field])) {
      const value = checkString(input[field], pointer, errors);
      if (value !== undefined) out[field] = value;
    }
  }
  return out;
}

function validateContainer(input: Record<string, unknown>, errors: FieldError[]): EventContainer {
  const out: EventContainer = {};
  for (const [field, pointer] of CONTAINER_STRINGS) {
    if (present(input[field])) {
      const value = checkString(input[field], pointer, errors);
      if (value !== undefined) out[field] = value;
    }
  }
  return out;
}

function validateSyscall(input: Record<string, unknown>, errors: FieldError[]): EventSyscall {
  const out: EventSyscall = {};
  if (present(input.arch)) {
    const arch = checkString(input.arch, '/syscall/arch', errors, 32, false);
    if (arch !== undefined) out.arch = arch;
  }
  if (present(input.nr)) {
    const nr = checkInteger(input.nr, '/syscall/nr', errors, 0, U32_MAX);
    if (nr !== undefined) out.nr = nr;
  }
  if (present(input.name)) {
    const name = checkString(input.name, '/syscall/name', errors, 128, false);
    if (name !== undefined) out.name = name;
  }
  if (present(input.compat)) {
    const compat = checkBoolean(input.compat, '/syscall/compat', errors);
    if (compat !== undefined) out.compat = compat;
  }
  return out;
}

function validateCode(
  input: Record<string, unknown>,
  field: 'errno' | 'signal',
  maxNr: number,
  errors: FieldError[],
): { nr?: number; name?: string } {
  const out: { nr?: number; name?: string } = {};
  if (present(input.nr)) {
    const nr = checkInteger(input.nr, `/${field}/nr`, errors, 0, maxNr);
    if (nr !== undefined) out.nr = nr;
  }
  if (present(input.name)) {
    const name = checkString(input.name, `/${field}/name`, errors, 64, false);
    if (name !== undefined) out.name = name;
  }
  return out;
}

function utf8Length(text: string): number {
  // Every UTF-16 unit is at most 3 UTF-8 bytes: most lines skip the exact count.
  return text.length * 3 <= RAW_MAX_BYTES ? text.length : Buffer.byteLength(text, 'utf8');
}

/**
 * The strict check the ingest endpoint runs on each NDJSON SecurityEvent from agents. Returns a
 * new event holding only known fields (unknown keys are dropped: newer agents may send more),
 * with observedAt normalised to UTC microseconds and `blocked` derived when absent. Every problem
 * is reported, each with the JSON pointer of its field. Hand-written checks: this runs 10,000
 * times a request.
 */
export function validateSecurityEvent(input: unknown, options: ValidateOptions = {}): ValidationResult {
  if (!isPlainObject(input)) {
    return { ok: false, errors: [{ pointer: '', message: 'must be a JSON object' }] };
  }
  const errors: FieldError[] = [];
  const eventKey = checkString(input.eventKey, '/eventKey', errors, EVENT_KEY_MAX_CHARS, false);
  let observedAt: string | undefined;
  if (typeof input.observedAt === 'string') {
    const time = parseIsoTimestamp(input.observedAt);
    const skew = options.maxFutureSkewMs ?? DEFAULT_MAX_FUTURE_SKEW_MS;
    const now = (options.now ?? Date.now)();
    if (time === undefined) {
      errors.push({
        pointer: '/observedAt',
        message: 'must be an ISO 8601 timestamp with an offset, e.g. 2026-01-31T12:00:00.123456Z',
      });
    } else if (time.epochMs - now > skew) {
      errors.push({
        pointer: '/observedAt',
        message: `is ${Math.round((time.epochMs - now) / 60_000)} minutes in the future (more than the allowed ${Math.round(skew / 60_000)})`,
      });
    } else {
      observedAt = time.iso;
    }
  } else {
    checkString(input.observedAt, '/observedAt', errors);
  }
  const host = checkString(input.host, '/host', errors, HOST_MAX_CHARS, false);
  const source = checkEnum(input.source, EVENT_SOURCES, '/source', errors);
  const kind = checkEnum(input.kind, EVENT_KINDS, '/kind', errors);
  const action = checkEnum(input.action, EVENT_ACTIONS, '/action', errors);

  const event = { eventKey, observedAt, host, source, kind, action } as SecurityEvent;
  if (present(input.bootId)) {
    const bootId = checkString(input.bootId, '/bootId', errors, 64, false);
    if (bootId !== undefined) event.bootId = bootId;
  }
  const processInput = checkOptionalObject(input.process, '/process', errors);
  if (processInput !== undefined) event.process = validateProcess(processInput, errors);
  const containerInput = checkOptionalObject(input.container, '/container', errors);
  if (containerInput !== undefined) event.container = validateContainer(containerInput, errors);
  const syscallInput = checkOptionalObject(input.syscall, '/syscall', errors);
  if (syscallInput !== undefined) event.syscall = validateSyscall(syscallInput, errors);
  const errnoInput = checkOptionalObject(input.errno, '/errno', errors);
  if (errnoInput !== undefined) event.errno = validateCode(errnoInput, 'errno', 4095, errors);
  const signalInput = checkOptionalObject(input.signal, '/signal', errors);
  if (signalInput !== undefined) event.signal = validateCode(signalInput, 'signal', 128, errors);

  if (present(input.blocked)) {
    const blocked = checkBoolean(input.blocked, '/blocked', errors);
    if (blocked !== undefined && action !== undefined && blocked !== isBlockingAction(action)) {
      errors.push({
        pointer: '/blocked',
        message: `is ${blocked} but action ${action} ${isBlockingAction(action) ? 'blocks' : 'does not block'} the call`,
      });
    }
  }
  if (action !== undefined) event.blocked = isBlockingAction(action);

  for (const [field, pointer] of TEXT_FIELDS) {
    if (present(input[field])) {
      const value = checkString(input[field], pointer, errors);
      if (value !== undefined) event[field] = value;
    }
  }
  const detailsInput = checkOptionalObject(input.details, '/details', errors);
  if (detailsInput !== undefined && checkDetails(detailsInput, '/details', errors))
    event.details = detailsInput;
  if (present(input.raw)) {
    const raw = checkString(input.raw, '/raw', errors, RAW_MAX_BYTES);
    if (raw !== undefined) {
      if (utf8Length(raw) > RAW_MAX_BYTES) {
        errors.push({ pointer: '/raw', message: `must be at most ${RAW_MAX_BYTES} bytes of UTF-8` });
      } else {
        event.raw = raw;
      }
    }
  }
  return errors.length === 0 ? { ok: true, event } : { ok: false, errors };
}
