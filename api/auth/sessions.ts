import { createHash } from 'node:crypto';
import { PostgresJsAdapter } from '@lucia-auth/adapter-postgresql';
import { generateIdFromEntropySize, Lucia, TimeSpan } from 'lucia';
import type postgres from 'postgres';
import type { Role } from './access';

// The only module that knows about lucia: replacing it means rewriting this file alone.

export const SESSION_COOKIE_NAME = 'borgflow_session';
// Sliding expiry: lucia extends a session once half of this has passed.
const SESSION_LIFETIME = new TimeSpan(7, 'd');
// 200 bits, as lucia makes its own ids.
const TOKEN_ENTROPY_BYTES = 25;

/**
 * The cookie carries a random token; the database keeps only its SHA-256. A copy of the database
 * (a backup, a dump) then holds nothing that signs anyone in.
 */
function storedSessionId(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

interface SessionUserAttributes {
  username: string;
  role: Role;
  mustChangePassword: boolean;
}

type BorgflowLucia = Lucia<Record<never, never>, SessionUserAttributes>;

declare module 'lucia' {
  interface Register {
    Lucia: BorgflowLucia;
    DatabaseUserAttributes: { username: string; role: Role; must_change_password: boolean };
  }
}

/** The signed-in user as the session store sees it: read fresh from `users` on each request. */
export interface SessionUser extends SessionUserAttributes {
  id: string;
}

export interface ValidSession {
  /** The token from the cookie (never stored as such). */
  sessionId: string;
  expiresAt: Date;
  /** The expiry moved forward: the cookie must be sent again. */
  isRenewed: boolean;
  user: SessionUser;
}

export interface SessionCookie {
  name: string;
  value: string;
  options: {
    httpOnly: boolean;
    sameSite: 'lax' | 'strict' | 'none';
    path: string;
    secure: boolean;
    maxAge?: number;
  };
}

export interface SessionStore {
  create(userId: string): Promise<{ sessionId: string; expiresAt: Date }>;
  validate(sessionId: string): Promise<ValidSession | null>;
  invalidate(sessionId: string): Promise<void>;
  invalidateAllOfUser(userId: string): Promise<void>;
  cookie(sessionId: string, isSecure: boolean): SessionCookie;
  blankCookie(isSecure: boolean): SessionCookie;
}

export function createSessionStore(sql: postgres.Sql): SessionStore {
  const lucia: BorgflowLucia = new Lucia(
    new PostgresJsAdapter(sql, { user: 'users', session: 'user_sessions' }),
    {
      sessionExpiresIn: SESSION_LIFETIME,
      sessionCookie: { name: SESSION_COOKIE_NAME, attributes: { sameSite: 'lax' } },
      getUserAttributes: (row) => ({
        username: row.username,
        role: row.role,
        mustChangePassword: row.must_change_password,
      }),
    },
  );
  // `Secure` is decided per request (HTTPS directly or behind a trusted proxy), not once here.
  const toCookie = (
    cookie: ReturnType<BorgflowLucia['createSessionCookie']>,
    isSecure: boolean,
  ) => ({
    name: cookie.name,
    value: cookie.value,
    options: {
      httpOnly: true,
      sameSite: cookie.attributes.sameSite ?? 'lax',
      path: cookie.attributes.path ?? '/',
      secure: isSecure,
      maxAge: cookie.attributes.maxAge,
    },
  });

  return {
    async create(userId) {
      const token = generateIdFromEntropySize(TOKEN_ENTROPY_BYTES);
      const session = await lucia.createSession(userId, {}, { sessionId: storedSessionId(token) });

      return { sessionId: token, expiresAt: session.expiresAt };
    },
    async validate(token) {
      const { session, user } = await lucia.validateSession(storedSessionId(token));
      if (!session) return null;

      return {
        sessionId: token,
        expiresAt: session.expiresAt,
        isRenewed: session.fresh,
        user: {
          id: user.id,
          username: user.username,
          role: user.role,
          mustChangePassword: user.mustChangePassword,
        },
      };
    },
    invalidate: (token) => lucia.invalidateSession(storedSessionId(token)),
    invalidateAllOfUser: (userId) => lucia.invalidateUserSessions(userId),
    cookie: (sessionId, isSecure) => toCookie(lucia.createSessionCookie(sessionId), isSecure),
    blankCookie: (isSecure) => toCookie(lucia.createBlankSessionCookie(), isSecure),
  };
}
