import { SIBLING_RECORD_NAMES } from '@sandtrap/audit';
import { formatContainerAnnotation, type EventContainer } from '@sandtrap/events';

/**
 * Which audit.log lines can go to the service as they are (`POST /v1/ingest/audit`, parsed there
 * by the same libs/audit parser with this host's name and boot id) instead of being parsed here
 * and shipped as SecurityEvent JSON. Parsing and serialising each event cost the agent most of
 * its CPU and garbage (test/bench/RESULTS.md, Agent); a line passed through costs a scan.
 *
 * A read's lines pass through only when the service would make of them exactly the events the
 * agent would: plain auditd records (`type=NAME msg=audit(...)`, no `node=`, no NUL, no CR, not
 * huge), every SECCOMP record naming its pid; otherwise the whole read is parsed here. A SECCOMP
 * record with a sibling record of its event in the read (SYSCALL, EXECVE, PROCTITLE, CWD,
 * CONTAINER_ID, EOE of the same stamp, which the parser merges into it) is parsed here together
 * with its siblings, so that they cannot land in different requests; the other SECCOMP records
 * of the read still pass through. (The agent parses a read as a whole and flushes the parser after
 * it, so an event's records are taken to arrive in one read either way.) The container of a
 * record's process is read from /proc here, while the process may still live (the service
 * cannot), and travels with the line as its container annotation (libs/events
 * container-annotation.ts), which the service applies as the agent's own enrichment would. Only
 * SECCOMP records are shipped: each is a whole event, so where a request ends changes nothing.
 * Records the parser would skip or find no event for are left out.
 */
export interface AuditPassthrough {
  /** The SECCOMP records to ship as they are (with their container annotations). */
  lines: string[];
  /** How many events they are (one a line). */
  events: number;
  /** The records of the read's events that have siblings in it, in read order: parse them here. */
  parse: string[];
}

const SECCOMP = 'type=SECCOMP msg=audit(';
const SIBLINGS: ReadonlySet<string> = new Set(SIBLING_RECORD_NAMES);
/** Well under the spool's and the parser's line limits; longer lines are parsed here. */
const MAX_LINE_CHARS = 16_384;

/** `SEC.MSEC:SERIAL` of `type=NAME msg=audit(SEC.MSEC:SERIAL): ...`, from `from` on. */
function stampOf(line: string, from: number): string | undefined {
  const open = line.indexOf('msg=audit(', from);
  if (open < 0) return undefined;
  const close = line.indexOf(')', open + 10);
  return close < 0 ? undefined : line.slice(open + 10, close);
}

/**
 * The value of the record's ` pid=` field, if it is a plain decimal number (audit hex-encodes
 * strings holding spaces, so ` pid=` is not found inside a quoted value).
 */
function pidOf(line: string): number | undefined {
  const at = line.indexOf(' pid=', SECCOMP.length);
  if (at < 0) return undefined;
  let pid = 0;
  let i = at + 5;
  for (; i < line.length; i++) {
    const c = line.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    pid = pid * 10 + c;
  }
  const digits = i - at - 5;
  return digits === 0 || digits > 9 || (i < line.length && line.charCodeAt(i) !== 32) ? undefined : pid;
}

/**
 * How to ship one read (see above), or undefined when the whole read must be parsed here.
 * `containerOf(pid)` answers the container of the pid's process (undefined: none, or the process
 * is gone).
 */
export function planAuditPassthrough(
  lines: readonly string[],
  containerOf: (pid: number) => EventContainer | undefined,
): AuditPassthrough | undefined {
  // Line indexes of the SECCOMP records, with their pids; stamps of the sibling records.
  const seccomp: number[] = [];
  const pids: number[] = [];
  let siblingStamps: Set<string> | undefined;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    if (line === '') continue;
    if (line.length > MAX_LINE_CHARS || line.charCodeAt(line.length - 1) === 13 || line.includes('\u0000'))
      return undefined;
    if (line.startsWith(SECCOMP)) {
      const pid = pidOf(line);
      if (pid === undefined) return undefined;
      seccomp.push(index);
      pids.push(pid);
      continue;
    }
    if (!line.startsWith('type=')) return undefined;
    const space = line.indexOf(' ', 5);
    const type = space < 0 ? '' : line.slice(5, space);
    // Types the parser reads besides SECCOMP and its siblings (ANOM_ABEND, UNKNOWN[1326]): here.
    if (type === 'ANOM_ABEND' || type.startsWith('UNKNOWN[')) return undefined;
    if (SIBLINGS.has(type)) {
      const stamp = stampOf(line, 5);
      if (stamp !== undefined) (siblingStamps ??= new Set()).add(stamp);
    }
  }
  const annotated = (k: number) => {
    const container = containerOf(pids[k]);
    const line = lines[seccomp[k]];
    return container === undefined ? line : line + formatContainerAnnotation(container);
  };
  if (siblingStamps === undefined) {
    const kept = seccomp.map((_, k) => annotated(k));
    return { lines: kept, events: kept.length, parse: [] };
  }
  // The stamps of the read's events that have siblings in it: their records are parsed here.
  // Siblings of events outside the read add nothing here either: they are left out.
  const stampOfSeccomp = seccomp.map((index) => stampOf(lines[index], 0));
  const merged = new Set<string>();
  for (const stamp of stampOfSeccomp) if (stamp !== undefined && siblingStamps.has(stamp)) merged.add(stamp);
  const kept: string[] = [];
  const parse: string[] = [];
  let k = 0;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    if (k < seccomp.length && seccomp[k] === index) {
      const stamp = stampOfSeccomp[k];
      if (stamp !== undefined && merged.has(stamp)) parse.push(line);
      else kept.push(annotated(k));
      k++;
    } else if (merged.size > 0 && line.startsWith('type=')) {
      const stamp = stampOf(line, 5);
      if (stamp !== undefined && merged.has(stamp)) parse.push(line);
    }
  }
  return { lines: kept, events: kept.length, parse };
}

const SECCOMP_BYTES = Buffer.from(SECCOMP, 'latin1');
const PID_BYTES = Buffer.from(' pid=', 'latin1');

// One annotation Buffer per container object (the resolver hands out the same object for a pid
// while it caches it), so a read's annotations cost no allocation each.
const annotationBytes = new WeakMap<EventContainer, Buffer>();
function annotationOf(container: EventContainer): Buffer {
  let bytes = annotationBytes.get(container);
  if (bytes === undefined) {
    bytes = Buffer.from(formatContainerAnnotation(container), 'latin1');
    annotationBytes.set(container, bytes);
  }
  return bytes;
}

const MSG_AUDIT_BYTES = Buffer.from('msg=audit(', 'latin1');

/** `SEC.MSEC:SERIAL` of the record in bytes[start, end), like `stampOf`. */
function stampOfBytes(bytes: Buffer, start: number, end: number): string | undefined {
  const open = bytes.indexOf(MSG_AUDIT_BYTES, start);
  if (open < 0 || open >= end) return undefined;
  const close = bytes.indexOf(0x29, open + MSG_AUDIT_BYTES.length);
  return close < 0 || close >= end
    ? undefined
    : bytes.toString('latin1', open + MSG_AUDIT_BYTES.length, close);
}

// What a line of a read is to planAuditBytes.
const SHIP = 0;
const LEAVE_OUT = 1;
const SIBLING = 2;

/**
 * `planAuditPassthrough` on the undecoded bytes of a read (complete lines, each ending in a
 * newline), for reads of plain ASCII with no NUL or CR made only of `type=` records: the same
 * plan, without making strings of the lines it ships. The bytes to spool are pieces of the read
 * itself with the container annotations of records whose process is in a container between them
 * (nothing copied); the lines to parse here are decoded. Undefined when the read does not qualify
 * (then decode and plan the lines).
 */
export function planAuditBytes(
  bytes: Buffer,
  containerOf: (pid: number) => EventContainer | undefined,
): { chunks: Buffer[]; events: number; parse: string[] } | undefined {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b >= 0x80 || b === 0 || b === 13) return undefined;
  }
  // Each line's start, end (its newline), what it is, and for SECCOMP records the pid.
  const starts: number[] = [];
  const ends: number[] = [];
  const kinds: number[] = [];
  const pids: number[] = [];
  let siblingStamps: Set<string> | undefined;
  for (let start = 0; start < bytes.length;) {
    const end = bytes.indexOf(0x0a, start);
    if (end < 0 || end - start > MAX_LINE_CHARS) return undefined;
    let kind = LEAVE_OUT;
    let pid = -1;
    if (end === start) {
      // An empty line: nothing to ship.
    } else if (
      end - start >= SECCOMP_BYTES.length &&
      bytes.compare(SECCOMP_BYTES, 0, SECCOMP_BYTES.length, start, start + SECCOMP_BYTES.length) === 0
    ) {
      const at = bytes.indexOf(PID_BYTES, start + SECCOMP_BYTES.length);
      if (at < 0 || at >= end) return undefined;
      pid = 0;
      let i = at + PID_BYTES.length;
      for (; i < end; i++) {
        const c = bytes[i] - 48;
        if (c < 0 || c > 9) break;
        pid = pid * 10 + c;
      }
      const digits = i - at - PID_BYTES.length;
      if (digits === 0 || digits > 9 || (i < end && bytes[i] !== 32)) return undefined;
      kind = SHIP;
    } else {
      if (end - start < 5 || bytes.toString('latin1', start, start + 5) !== 'type=') return undefined;
      const space = bytes.indexOf(0x20, start + 5);
      const type = space < 0 || space > end ? '' : bytes.toString('latin1', start + 5, space);
      // Types the parser reads besides SECCOMP and its siblings (ANOM_ABEND, UNKNOWN[1326]): here.
      if (type === 'ANOM_ABEND' || type.startsWith('UNKNOWN[')) return undefined;
      if (SIBLINGS.has(type)) {
        const stamp = stampOfBytes(bytes, start, end);
        if (stamp !== undefined) (siblingStamps ??= new Set()).add(stamp);
        kind = SIBLING;
      }
    }
    starts.push(start);
    ends.push(end);
    kinds.push(kind);
    pids.push(pid);
    start = end + 1;
  }
  // Events with siblings in the read: their records are parsed here, together, in read order.
  const parse: string[] = [];
  if (siblingStamps !== undefined) {
    const stamps = kinds.map((kind, n) =>
      kind === LEAVE_OUT ? undefined : stampOfBytes(bytes, starts[n], ends[n]),
    );
    const merged = new Set<string>();
    for (let n = 0; n < kinds.length; n++) {
      const stamp = stamps[n];
      if (kinds[n] === SHIP && stamp !== undefined && siblingStamps.has(stamp)) merged.add(stamp);
    }
    for (let n = 0; n < kinds.length; n++) {
      const stamp = stamps[n];
      if (kinds[n] !== LEAVE_OUT && stamp !== undefined && merged.has(stamp)) {
        parse.push(bytes.toString('latin1', starts[n], ends[n]));
        kinds[n] = LEAVE_OUT;
      } else if (kinds[n] === SIBLING) kinds[n] = LEAVE_OUT;
    }
  }
  const chunks: Buffer[] = [];
  let events = 0;
  // Where the read's bytes not yet in `chunks` (nor left out) begin.
  let copied = 0;
  for (let n = 0; n < kinds.length; n++) {
    if (kinds[n] === SHIP) {
      events++;
      const container = containerOf(pids[n]);
      const annotation = container === undefined ? undefined : annotationOf(container);
      if (annotation !== undefined && annotation.length > 0) {
        chunks.push(bytes.subarray(copied, ends[n]), annotation);
        copied = ends[n];
      }
    } else {
      if (copied < starts[n]) chunks.push(bytes.subarray(copied, starts[n]));
      copied = ends[n] + 1;
    }
  }
  if (copied === 0) chunks.push(bytes);
  else if (copied < bytes.length) chunks.push(bytes.subarray(copied));
  return { chunks: events === 0 ? [] : chunks, events, parse };
}
