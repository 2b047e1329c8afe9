import { validateSecurityEvent, type SecurityEvent } from '@sandtrap/events';
import type { EventShape, StoredEvent } from './ingest-batch.js';
import { formatObservedAt } from './observed-at.js';
import { violationIdentity } from './violation-identity.js';

/**
 * An event the scanner read: what the service and the writer need, its COPY text, and as a
 * StoredEvent what listeners read (from its shared shape).
 */
export class ScannedEvent implements StoredEvent {
  /*
   * Its own candidate (index, line), grouped event (key) and row (hostId) too: one object per
   * event while the batch waits for the database, which is what the garbage collector sees.
   */
  /** Position in the request (IngestCandidate). */
  index = 0;
  line = 0;
  /** Set by the writer for the row (ViolationRow). */
  hostId = '';

  constructor(
    readonly host: string,
    private readonly keyStart: number,
    private readonly keyEnd: number,
    private readonly keyEscaped: boolean,
    readonly micros: number,
    /** Shared by the events of one shape: never changed. */
    readonly shape: EventShape,
    /**
     * The binary COPY row in copy[copyStart, copyEnd): ROW_HEAD_BYTES left for the field count and
     * the host id (a uuid, known only when the batch is written: see copyChunks), then the rest.
     */
    readonly copy: Buffer,
    readonly copyStart: number,
    readonly copyEnd: number,
    private readonly body: Buffer,
    private readonly lineStart: number,
    private readonly lineEnd: number,
  ) {}

  /** Identity, violationIdentity(host, eventKey, micros) (GroupedEvent): made when asked. */
  get key(): string {
    return violationIdentity(this.host, this.eventKey, this.micros);
  }

  /** The candidate's event, the grouped event's event, the row's event: this. */
  get event(): this {
    return this;
  }

  /** Read from the line when asked (kept as a string, it would cost each event's memory). */
  get eventKey(): string {
    const text = this.body.toString('latin1', this.keyStart, this.keyEnd);
    return this.keyEscaped ? (JSON.parse(`"${text}"`) as string) : text;
  }

  get source() {
    return this.shape.source;
  }

  get action() {
    return this.shape.action;
  }

  get blocked() {
    return this.shape.blocked;
  }

  get policy() {
    return this.shape.policy;
  }

  get syscall() {
    return this.shape.syscall;
  }

  get process() {
    return this.shape.process;
  }

  get container() {
    return this.shape.container;
  }

  /** The canonical time the line gave (formatObservedAt of it is that very text). */
  get observedAt(): string {
    return formatObservedAt(this.micros);
  }

  /** The whole event, as the ordinary path reads the line. */
  full(): SecurityEvent {
    const text = this.body.toString('latin1', this.lineStart, this.lineEnd);
    const checked = validateSecurityEvent(JSON.parse(text), { maxFutureSkewMs: Number.MAX_SAFE_INTEGER });
    if (!checked.ok) throw new Error(`scanned event ${this.eventKey} no longer validates`);
    return checked.event;
  }
}
