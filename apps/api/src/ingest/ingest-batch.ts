import type { SecurityEvent } from '@sandtrap/events';

/** One event decoded from a request, with where it came from. */
export interface IngestCandidate {
  /** 0-based position of the event in the request. */
  index: number;
  /** 1-based line of the request it came from, for line-based bodies. */
  line?: number;
  event: SecurityEvent;
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
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: number;
  errors: IngestProblem[];
}
