import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { recordAudit } from '../audit';
import { ApiError } from '../errors';
import {
  hasRole,
  isRouteAccess,
  ROUTE_ACCESS_LEVELS,
  type RouteAccess,
  type RouteAccessEntry,
} from './access';
import { claimedOrigin, ownOrigin, STATE_CHANGING_METHODS } from './origin';
import { resolvePrincipal, type PrincipalSources, type ResolvedPrincipal } from './principal';

const PUBLIC_ASSETS_MARK = 'borgflowServesPublicAssets';

/**
 * Marks an encapsulated scope whose routes come from a third-party plugin serving static files
 * (the web UI, the API docs page), which cannot declare `config.access` themselves.
 */
export function markRoutesAsPublicAssets(scope: FastifyInstance): void {
  scope.decorate(PUBLIC_ASSETS_MARK, true);
}

/**
 * Installs access control on the root instance, before any route exists: routes that do not
 * declare `config.access` fail registration, and every request is checked against the
 * declaration. `app.routeAccessTable` lists every route with its declared access.
 */
export function installAccessControl(app: FastifyInstance, sources: PrincipalSources): void {
  const routes: RouteAccessEntry[] = [];
  app.decorate('routeAccessTable', routes);
  app.decorateRequest('principal', null);

  app.addHook('onRoute', function (this: FastifyInstance, route: RouteOptions) {
    const declared: unknown = route.config?.access;
    if (declared === undefined && this.hasDecorator(PUBLIC_ASSETS_MARK)) {
      route.config = { ...route.config, access: 'public' };
    } else if (!isRouteAccess(declared)) {
      throw new Error(
        `route ${String(route.method)} ${route.url} must declare config.access as one of ` +
          ROUTE_ACCESS_LEVELS.join(', '),
      );
    }
    for (const method of [route.method].flat()) {
      routes.push({ method, url: route.url, access: route.config!.access });
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    const access: RouteAccess | undefined = request.routeOptions.config.access;
    // Only the not-found handler has no declaration; let it answer 404.
    if (access === undefined) return;
    const resolved = await resolvePrincipal(request, reply, sources);
    request.principal = resolved === 'invalid' ? null : resolved;
    if (STATE_CHANGING_METHODS.has(request.method)) await assertTrustedOrigin(request);

    await assertAllowed(request, access, resolved, sources);
  });
}

/**
 * Cookies ride along on cross-site requests, so a cookie-authenticated change must prove it
 * came from our own pages. Bearer tokens are never sent automatically and need no proof. An
 * anonymous request (sign-in) is refused only when it names a foreign origin.
 */
async function assertTrustedOrigin(request: FastifyRequest): Promise<void> {
  const principal = request.principal;
  if (principal?.via === 'token') return;
  const claimed = claimedOrigin(request);
  const own = ownOrigin(request);
  if (principal && claimed !== undefined && claimed === own) return;
  if (!principal && (claimed === undefined || claimed === own)) return;

  request.log.info({ origin: claimed ?? null, expected: own ?? null }, 'origin refused');
  throw new ApiError(
    'ORIGIN_MISMATCH',
    'The request did not come from this site (Origin or Referer missing or foreign).',
  );
}

async function assertAllowed(
  request: FastifyRequest,
  access: RouteAccess,
  resolved: ResolvedPrincipal,
  sources: PrincipalSources,
): Promise<void> {
  if (access === 'public') return;
  const principal = request.principal;
  if (!principal) {
    const message =
      resolved === 'invalid'
        ? 'The session has expired or the API token is not valid; sign in again.'
        : 'Sign in or send an API token first.';
    throw new ApiError('UNAUTHENTICATED', message);
  }
  if (access === 'authenticated') return;
  if (principal.mustChangePassword) {
    throw new ApiError(
      'PASSWORD_CHANGE_REQUIRED',
      'Change the initial password first (POST /api/auth/password).',
    );
  }
  if (hasRole(principal, access)) return;

  await recordAudit(
    sources.db,
    {
      action: 'access.denied',
      target: `${request.method} ${request.routeOptions.url ?? request.url}`,
      outcome: 'denied',
      details: { role: principal.role, required: access },
    },
    request,
  ).catch((error: unknown) => request.log.warn({ err: error }, 'audit entry not written'));
  throw new ApiError('FORBIDDEN', `This needs the ${access} role; you are ${principal.role}.`);
}
