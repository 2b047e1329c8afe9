import { performance } from 'node:perf_hooks';
import type { PartitionMaintenance } from '../partitions/partition-maintenance.service.js';
import { ByteBudget } from './byte-budget.js';
import { CommitGroups, type GroupedEvent } from './commit-groups.js';
import { ScannedEvent } from './scanned-event.js';
import type {
  DecodedBatch,
  IngestCandidate,
  IngestProblem,
  IngestResult,
  StoredEvent,
} from './ingest-batch.js';
import type { IngestEvents } from './ingest-events.js';
import { IngestUnavailableError } from './ingest.errors.js';
import { MICROS_PER_DAY, dayStartOf, parseObservedAt } from './observed-at.js';
import { violationIdentity } from './violation-identity.js';
import { numericProblem } from './violation-row.js';
import type { BatchEvent, ViolationWriterRepository } from './violation-writer.repository.js';

/** Who sends: an `agent` credential is bound to one host. */
export interface IngestCaller {
  role: string;
  hostName?: string;
}

/** Deadlocks and serialisation failures are transient: the batch is simply tried again. */
const RETRYABLE = new Set(['40P01', '40001']);
const ATTEMPTS = 3;
/** How stale `hosts.last_seen` may get while a host keeps sending. */
const HOST_TOUCH_MS = 10_000;
/**
 * Request bodies (decompressed bytes) decoded and in the database at once; more wait, holding
 * only their body. Small agent batches run side by side by the hundred (their cost is round
 * trips, not memory); of multi-megabyte ones two at a time, which keeps both cores busy (one
 * decoding, one writing) and bounds the parsed events held in memory.
 */
const BODY_BYTES_AT_ONCE = 6 * 1024 * 1024;
/**
 * Group commit: at most this many ingest transactions at once; requests arriving meanwhile are
 * written together by the next one, up to GROUP_MAX_EVENTS events (see commit-groups.ts).
 */
const GROUP_CONCURRENCY = 2;
const GROUP_MAX_EVENTS = 10_000;

/** A request body not decoded yet: its size, and how to decode it. */
export interface PendingBatch {
  bytes: number;
  decode: () => DecodedBatch;
}

/**
 * The rules of ingest: who may send what, which times are accepted, in-batch repeats, then one
 * all-or-nothing write, then the batchStored event.
 */
export class IngestService {
  private readonly hosts = new Map<string, { id: string; touchedAt: number }>();
  private readonly budget = new ByteBudget(BODY_BYTES_AT_ONCE);
  private readonly groups = new CommitGroups<BatchEvent>((events) => this.storeGroup(events), {
    concurrency: GROUP_CONCURRENCY,
    maxEvents: GROUP_MAX_EVENTS,
    onWritten: (requests, events) => this.events.groupWritten({ requests, events }),
  });

  constructor(
    private readonly writer: ViolationWriterRepository,
    private readonly partitions: PartitionMaintenance,
    private readonly events: IngestEvents,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Ingests a batch. Given a body still to decode, decodes it only when it fits in the budget of
   * BODY_BYTES_AT_ONCE, so that waiting requests hold bytes, not parsed events.
   */
  async ingest(batch: DecodedBatch | PendingBatch, caller: IngestCaller): Promise<IngestResult> {
    if (!('decode' in batch)) return this.ingestDecoded(batch, caller);
    await this.budget.claim(batch.bytes);
    try {
      return await this.ingestDecoded(batch.decode(), caller);
    } finally {
      this.budget.release(batch.bytes);
    }
  }

  private async ingestDecoded(batch: DecodedBatch, caller: IngestCaller): Promise<IngestResult> {
    const started = performance.now();
    const problems: IngestProblem[] = [...batch.problems];
    const nowMicros = this.clock() * 1000;
    const oldest = this.partitions.oldestAccepted(this.clock()) * 1000;
    const newest = nowMicros + MICROS_PER_DAY;
    const seen = new SameTime();
    const valid: Array<GroupedEvent<BatchEvent>> = [];
    let repeats = 0;
    let problem: string | undefined;
    const reject = (c: IngestCandidate, code: string, message: string) =>
      problems.push({ index: c.index, ...(c.line === undefined ? {} : { line: c.line }), code, message });
    for (const c of batch.candidates) {
      const e = c.event;
      // An agent vouches for its own host only. Refused per event, not per batch: one record of
      // another host (an audit.log with node= of several machines) must not hold the rest back.
      if (caller.role === 'agent' && e.host !== caller.hostName) {
        reject(
          c,
          'foreign_host',
          `This agent token belongs to host "${caller.hostName ?? '?'}" and may not send events of host "${e.host}"`,
        );
        continue;
      }
      // A scanned event's time and numbers were checked as it was read (event-scanner.ts).
      const scanned = e instanceof ScannedEvent;
      const micros = scanned ? e.micros : parseObservedAt(e.observedAt);
      if (micros === undefined) {
        reject(c, 'invalid_time', `observedAt "${e.observedAt}" is not an ISO 8601 time with a zone`);
      } else if (micros < oldest) {
        reject(c, 'too_old', `observedAt ${e.observedAt} is older than the retention of stored events`);
      } else if (micros > newest) {
        reject(c, 'in_future', `observedAt ${e.observedAt} is more than one day in the future`);
      } else if (!scanned && (problem = numericProblem(e)) !== undefined) {
        reject(c, 'invalid_event', problem);
      } else if (seen.repeats(e, micros)) {
        repeats++;
      } else if (scanned) {
        // A scanned event is its own grouped event (event: itself, with its micros), its key
        // made only if its request shares a transaction: not kept, which would make a string
        // live as long as the batch for every event.
        valid.push(e);
      } else {
        valid.push({ key: violationIdentity(e.host, e.eventKey, micros), event: { micros, event: e } });
      }
    }
    problems.sort((a, b) => a.index - b.index);

    let dbMs = 0;
    const stored: StoredEvent[] = [];
    if (valid.length > 0) {
      const dbStarted = performance.now();
      await this.write(batch.source, valid, stored);
      dbMs = performance.now() - dbStarted;
    }

    const result: IngestResult = {
      accepted: stored.length,
      duplicates: repeats + valid.length - stored.length,
      rejected: problems.length,
      errors: problems,
    };
    const rejectReasons: Record<string, number> = {};
    for (const p of problems) rejectReasons[p.code] = (rejectReasons[p.code] ?? 0) + 1;
    this.events.batchStored({
      source: batch.source,
      accepted: result.accepted,
      duplicates: result.duplicates,
      rejected: result.rejected,
      rejectReasons,
      durationMs: performance.now() - started,
      dbMs,
      events: stored,
      lostRecords: batch.lostRecords,
    });
    // Written, and the listeners have what they keep (StoredEvents): the decoder's buffers can
    // serve the next request.
    batch.release?.();
    return result;
  }

  /**
   * The cached ids of the batch's hosts. A host not marked seen in the last HOST_TOUCH_MS is
   * touched now (one UPDATE, not per batch: concurrent batches of one host would otherwise queue
   * on its row's lock); hosts never seen are left out, for storeBatch to create in its transaction.
   */
  private async knownHosts(names: Iterable<string>): Promise<Map<string, string>> {
    const now = this.clock();
    const ids = new Map<string, string>();
    const stale: string[] = [];
    for (const name of new Set(names)) {
      const known = this.hosts.get(name);
      if (!known) continue;
      ids.set(name, known.id);
      if (now - known.touchedAt >= HOST_TOUCH_MS) stale.push(known.id);
    }
    if (stale.length > 0) {
      const alive = await this.writer.touchHosts(stale);
      for (const [name, id] of ids) {
        if (!stale.includes(id)) continue;
        if (alive.has(id)) this.hosts.set(name, { id, touchedAt: now });
        else {
          ids.delete(name);
          this.hosts.delete(name);
        }
      }
    }
    return ids;
  }

  /** Writes the request's events with whatever other requests are waiting (CommitGroups). */
  private async write(
    source: string,
    valid: ReadonlyArray<GroupedEvent<BatchEvent>>,
    stored: StoredEvent[],
  ): Promise<void> {
    let inserted: boolean[];
    try {
      inserted = await this.groups.submit(valid);
    } catch (error) {
      this.events.batchFailed({ source, error: error as Error });
      throw new IngestUnavailableError(error);
    }
    for (let i = 0; i < valid.length; i++) if (inserted[i]) stored.push(valid[i].event.event);
  }

  /** One group's transaction, tried again on deadlocks and serialisation failures. */
  private async storeGroup(grouped: ReadonlyArray<GroupedEvent<BatchEvent>>): Promise<boolean[]> {
    const events = grouped.map((g) => g.event);
    for (let attempt = 1; ; attempt++) {
      try {
        const known = await this.knownHosts(events.map((v) => v.event.host));
        await this.partitions.ensureDays(daysOf(events));
        const result = await this.writer.storeBatch(events, known);
        const now = this.clock();
        for (const [name, id] of result.hostIds) {
          if (!known.has(name)) this.hosts.set(name, { id, touchedAt: now });
        }
        return result.inserted;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code !== undefined && RETRYABLE.has(code) && attempt < ATTEMPTS) continue;
        throw error;
      }
    }
  }
}

/** The distinct days (their start, ms) of the events, without a value per event. */
function daysOf(events: readonly BatchEvent[]): number[] {
  const days: number[] = [];
  let last = NaN;
  for (const { micros } of events) {
    const day = dayStartOf(micros) / 1000;
    if (day !== last && !days.includes(day)) days.push(day);
    last = day;
  }
  return days;
}

/** A candidate event of a batch. */
type Candidate = IngestCandidate['event'];

function microsOf(e: Candidate): number | undefined {
  return e instanceof ScannedEvent ? e.micros : parseObservedAt(e.observedAt);
}

/**
 * The events of one batch by their time, to find repeats (same host, key and time: violations'
 * unique key). Events of a batch seldom share their microsecond, so most are told apart by a
 * number; host and key (a string each, read from the body for a scanned event) are compared only
 * when times meet, and no identity string is made per event.
 */
class SameTime {
  /** By the time's low 30 bits (a small integer, never boxed as a Map key): the events noted. */
  private readonly byTime = new Map<number, Candidate | Candidate[]>();

  /** Whether an event of the same identity came before; if not, this one (at `micros`) is noted. */
  repeats(e: Candidate, micros: number): boolean {
    const slot = micros % 0x40000000;
    const noted = this.byTime.get(slot);
    if (noted === undefined) {
      this.byTime.set(slot, e);
      return false;
    }
    const same = Array.isArray(noted) ? noted : [noted];
    for (const other of same) {
      if (other.host === e.host && microsOf(other) === micros && other.eventKey === e.eventKey) return true;
    }
    same.push(e);
    if (same.length === 2) this.byTime.set(slot, same);
    return false;
  }
}
