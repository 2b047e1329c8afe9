/** The roles of the API; `agent` is the host-scoped credential made by enrollment. */
export const ROLES = ['viewer', 'ingest', 'operator', 'admin', 'agent'] as const;
export type Role = (typeof ROLES)[number];

/** Roles a token can be created with through POST /v1/tokens (agents come from enrollment). */
export const GRANTABLE_ROLES = ['viewer', 'ingest', 'operator', 'admin'] as const;

/** What each role may also act as: admin > operator > viewer; ingest and agent stand alone. */
const INCLUDES: Record<Role, readonly Role[]> = {
  admin: ['admin', 'operator', 'viewer', 'ingest', 'agent'],
  operator: ['operator', 'viewer'],
  viewer: ['viewer'],
  ingest: ['ingest'],
  agent: ['agent'],
};

export function roleSatisfies(role: Role, required: readonly Role[]): boolean {
  return required.some((r) => INCLUDES[role].includes(r));
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
