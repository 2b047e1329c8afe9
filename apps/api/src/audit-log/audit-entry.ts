/** One change, as `AuditLogService.record` takes it. `before`/`after` must hold no secrets. */
export interface AuditChange {
  /** Who: a token name ("token:<name>") or "system". */
  actor: string;
  /** What, as `<noun>.<verb>`: `token.create`, `host.labels`, `policy.update`. */
  action: string;
  targetType: string;
  targetId?: string | null;
  before?: unknown;
  after?: unknown;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  action: string;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
}
