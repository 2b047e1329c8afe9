/** Why a tool's event could not become a SecurityEvent. */
export type AdapterErrorCode =
  | 'invalid_json'
  | 'line_too_long'
  | 'not_an_object'
  | 'unknown_event_type'
  | 'missing_field'
  | 'invalid_field'
  | 'unknown_action'
  | 'no_host'
  | 'invalid_event'
  | 'adapter_failed';

export class AdapterError extends Error {
  constructor(
    readonly code: AdapterErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AdapterError';
  }
}
