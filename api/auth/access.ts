import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Who may call a route. `authenticated` admits any signed-in user, even one who still has to
 * change the initial password; the role levels also require that change to be done.
 */
export type RouteAccess = 'public' | 'authenticated' | Role;

export const ROUTE_ACCESS_LEVELS: readonly RouteAccess[] = ['public', 'authenticated', ...ROLES];

const ROLE_RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

/** The user a request acts for, resolved from the session cookie or an API token. */
export interface Principal {
  userId: string;
  username: string;
  role: Role;
  mustChangePassword: boolean;
  via: 'session' | 'token';
  sessionId?: string;
  tokenId?: string;
}

/** A registered route and who may call it, as declared at registration. */
export interface RouteAccessEntry {
  method: string;
  url: string;
  access: RouteAccess;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every registered route with its declared access, for the docs and the access tests. */
    routeAccessTable: RouteAccessEntry[];
  }

  interface FastifyContextConfig {
    /** Required on every route: the access-control hook refuses routes that omit it. */
    access: RouteAccess;
  }

  interface FastifyRequest {
    principal: Principal | null;
  }
}

export function hasRole(principal: Principal, needed: Role): boolean {
  return ROLE_RANK[principal.role] >= ROLE_RANK[needed];
}

export function isRouteAccess(value: unknown): value is RouteAccess {
  return ROUTE_ACCESS_LEVELS.includes(value as RouteAccess);
}

/** The principal of a route that is not public; the access hook has already vouched for it. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new ApiError('UNAUTHENTICATED', 'Sign in first.');

  return request.principal;
}
