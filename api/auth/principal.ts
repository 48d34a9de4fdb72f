import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../core/db/schema';
import type { Principal } from './access';
import { resolveApiToken } from './api-tokens';
import { SESSION_COOKIE_NAME, type SessionStore } from './sessions';

export interface PrincipalSources {
  db: Kysely<Database>;
  sessions: SessionStore;
}

/** `invalid`: credentials were offered but do not hold (unknown token, expired session). */
export type ResolvedPrincipal = Principal | 'invalid' | null;

// lucia's session ids are 40 lowercase base32 characters; anything else skips the database.
const SESSION_ID_PATTERN = /^[a-z0-9]{20,64}$/;

/** Reads a Bearer token first (API clients), then the session cookie (the web UI). */
export async function resolvePrincipal(
  request: FastifyRequest,
  reply: FastifyReply,
  { db, sessions }: PrincipalSources,
): Promise<ResolvedPrincipal> {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    const owner = match ? await resolveApiToken(db, match[1]) : null;
    if (!owner) return 'invalid';

    const { tokenId, ...user } = owner;
    return { ...user, via: 'token', tokenId };
  }

  const sessionId = request.cookies[SESSION_COOKIE_NAME];
  if (!sessionId) return null;
  const isSecure = request.protocol === 'https';
  const session = SESSION_ID_PATTERN.test(sessionId) ? await sessions.validate(sessionId) : null;

  if (!session) {
    const blank = sessions.blankCookie(isSecure);
    reply.setCookie(blank.name, blank.value, blank.options);
    return 'invalid';
  }
  if (session.isRenewed) {
    const renewed = sessions.cookie(session.sessionId, isSecure);
    reply.setCookie(renewed.name, renewed.value, renewed.options);
  }
  const { id: userId, ...user } = session.user;

  return { userId, ...user, via: 'session', sessionId: session.sessionId };
}
