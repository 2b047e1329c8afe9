import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { TokenVerifier } from '../tokens/token-verifier.js';
import { HOST_PARAM_KEY, PUBLIC_KEY, ROLES_KEY } from './auth.decorators.js';
import { ForbiddenError, UnauthorizedError } from './auth.errors.js';
import { roleSatisfies, type Role } from './role.js';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** The global guard: every route needs a bearer token of an allowed role unless it is `@Public()`. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? BEARER.exec(header) : null;
    if (!match) throw new UnauthorizedError();
    const token = await this.verifier.verify(match[1]);
    if (!token) throw new UnauthorizedError('The API token is unknown or revoked');
    request.authToken = token;

    const required = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets) ?? ['admin'];
    if (!roleSatisfies(token.role, required)) {
      throw new ForbiddenError(
        `This route needs the role ${required.join(' or ')}; the token has ${token.role}`,
        {
          required,
          role: token.role,
        },
      );
    }
    const hostParam = this.reflector.getAllAndOverride<string | undefined>(HOST_PARAM_KEY, targets);
    if (token.role === 'agent' && hostParam !== undefined) {
      const params = request.params as Record<string, string | undefined>;
      if (params[hostParam] !== token.hostId) {
        throw new ForbiddenError('An agent token may only act for its own host', { hostId: token.hostId });
      }
    }
    return true;
  }
}
