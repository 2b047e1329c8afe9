import { SetMetadata, applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { AuthToken } from './auth-token.js';
import type { Role } from './role.js';

export const ROLES_KEY = 'sandtrap:roles';
export const PUBLIC_KEY = 'sandtrap:public';
export const HOST_PARAM_KEY = 'sandtrap:host-param';

/**
 * The roles that may call a route (or every route of a controller). A route with neither
 * `@Roles` nor `@Public` is admin-only, so a forgotten decorator fails closed.
 */
export const Roles = (...roles: Role[]) =>
  applyDecorators(SetMetadata(ROLES_KEY, roles), ApiExtension('x-sandtrap-roles', roles));

/** No token needed (health, readiness). */
export const Public = () =>
  applyDecorators(SetMetadata(PUBLIC_KEY, true), ApiExtension('x-sandtrap-public', true));

/**
 * An `agent` token may call the route only for its own host: the named route parameter must be
 * its host id. Other roles are unaffected.
 */
export const HostScoped = (param = 'id') => SetMetadata(HOST_PARAM_KEY, param);

/** The authenticated caller (undefined on public routes). */
export const CurrentToken = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): AuthToken | undefined =>
    ctx.switchToHttp().getRequest<FastifyRequest>().authToken,
);
