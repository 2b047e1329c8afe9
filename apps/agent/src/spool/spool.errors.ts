export type SpoolErrorCode = 'spool_io' | 'spool_event_too_large';

export class SpoolError extends Error {
  constructor(
    readonly code: SpoolErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SpoolError';
  }
}
