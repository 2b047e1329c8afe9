/** Why a whole ingest request was refused before anything was stored. */
export type IngestBodyErrorCode =
  'payload_too_large' | 'too_many_events' | 'invalid_gzip' | 'unsupported_encoding' | 'invalid_body';

export class IngestBodyError extends Error {
  constructor(
    readonly code: IngestBodyErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'IngestBodyError';
  }
}

/** The database refused the batch: nothing was stored and the client may resend it as is. */
export class IngestUnavailableError extends Error {
  readonly code = 'ingest_unavailable';
  readonly retryAfterSeconds = 5;
  constructor(override readonly cause: unknown) {
    super('The database could not store the batch; nothing was written, send it again later');
    this.name = 'IngestUnavailableError';
  }
}
