import type {
  EventAction,
  EventContainer,
  EventProcess,
  EventSource,
  EventSyscall,
  SecurityEvent,
} from '@sandtrap/events';
import type { ScannedEvent } from './scanned-event.js';

/**
 * What is read of a stored event after the write (metrics labels, the alert rules' prefilter,
 * the per-minute rollup): a SecurityEvent has all of it. The events the byte scanner read share
 * one EventShape per shape, so it must never be changed.
 */
export interface EventShape {
  host: string;
  source: EventSource;
  action: EventAction;
  blocked: boolean;
  policy?: string;
  syscall?: Pick<EventSyscall, 'arch' | 'nr' | 'name'>;
  process?: Pick<EventProcess, 'exe'>;
  container?: Pick<EventContainer, 'id' | 'name' | 'pod' | 'namespace'>;
}

/** A stored event as batchStored hands it to listeners: a SecurityEvent or a ScannedEvent. */
export interface StoredEvent extends EventShape {
  eventKey: string;
  /**
   * Set when the event's EventShape fields are those of this shared object: listeners count
   * such events per shape instead of one by one, and keep the shape rather than the event.
   */
  readonly shape?: EventShape;
}

/** One event decoded from a request, with where it came from. */
export interface IngestCandidate {
  /** 0-based position of the event in the request. */
  index: number;
  /** 1-based line of the request it came from, for line-based bodies. */
  line?: number;
  /** Decoded whole, or read by the byte scanner of `POST /v1/ingest/events` (event-scanner.ts). */
  event: SecurityEvent | ScannedEvent;
}

export interface IngestProblem {
  index: number;
  line?: number;
  code: string;
  message: string;
}

/** A request decoded by its source's decoder: the events, and what could not be read. */
export interface DecodedBatch {
  source: string;
  candidates: IngestCandidate[];
  problems: IngestProblem[];
  lostRecords: number;
  /**
   * Called once the batch is written and its events are no longer read (not after a failed
   * write): gives the decoder's buffers back for the next requests.
   */
  release?: () => void;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: number;
  errors: IngestProblem[];
}
