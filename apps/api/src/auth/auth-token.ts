import type { Role } from './role.js';

/** The caller, as `@CurrentToken()` gives it. */
export interface AuthToken {
  id: string;
  name: string;
  role: Role;
  /** Set for `agent` tokens: the one host they act for. */
  hostId?: string;
  hostName?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    authToken?: AuthToken;
  }
}
