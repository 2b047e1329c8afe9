/**
 * Identity of a stored row, as the unique key `(host_id, event_key, observed_at)` sees it: by host
 * id or, before the host ids are known, by host name.
 */
export function violationIdentity(host: string, eventKey: string, micros: number | string): string {
  return `${host}\u0000${eventKey}\u0000${micros}`;
}
