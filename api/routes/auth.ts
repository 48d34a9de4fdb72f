import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../core/db/schema';
import { recordAudit } from '../audit';
import { principalOf } from '../auth/access';
import { loginThrottleKeys } from '../auth/login-throttle';
import {
  assertAcceptablePassword,
  burnPasswordCheck,
  hashPassword,
  verifyPassword,
} from '../auth/passwords';
import type { RouteDependencies } from '../auth/services';
import {
  findUserById,
  findUserByUsername,
  normalizeUsername,
  toUserResponse,
} from '../auth/user-store';
import { ApiError } from '../errors';
import { noContentResponse, withErrorResponses } from '../schemas/common';
import { changePasswordBodySchema, loginBodySchema, userEnvelopeSchema } from '../schemas/users';

interface LoginBody {
  username: string;
  password: string;
}

interface ChangePasswordBody {
  currentPassword: string;
  newPassword: string;
}

// A coarse cap per address on top of the per-user lockout: it bounds password hashing work too.
const LOGIN_RATE_LIMIT = { max: 30, timeWindow: 60_000 };
const tags = ['auth'];

/** Sign-in, sign-out, the current user, and changing one's own password. */
export async function authRoutes(app: FastifyInstance, deps: RouteDependencies): Promise<void> {
  const { db, sessions, loginThrottle } = deps;

  app.post<{ Body: LoginBody }>(
    '/api/auth/login',
    {
      config: { access: 'public', rateLimit: LOGIN_RATE_LIMIT },
      schema: {
        tags,
        summary: 'Sign in; sets the session cookie',
        body: loginBodySchema,
        response: withErrorResponses({ 200: userEnvelopeSchema }),
      },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const keys = loginThrottleKeys(normalizeUsername(username), request.ip);
      const retryAfterSeconds = await loginThrottle.retryAfterSeconds(keys);
      if (retryAfterSeconds > 0) {
        await refuseLogin(db, request, username, 'locked out', 'denied');
        void reply.header('retry-after', String(retryAfterSeconds));
        throw new ApiError(
          'RATE_LIMITED',
          `Too many failed sign-ins; try again in ${retryAfterSeconds} seconds.`,
        );
      }

      const user = await findUserByUsername(db, username);
      const isValid = user
        ? await verifyPassword(user.password_hash, password)
        : await burnPasswordCheck(password).then(() => false);
      if (!user || !isValid) {
        await loginThrottle.recordFailure(keys);
        await refuseLogin(
          db,
          request,
          username,
          user ? 'wrong password' : 'unknown user',
          'failure',
        );
        throw new ApiError('INVALID_CREDENTIALS', 'Wrong username or password.');
      }

      await loginThrottle.recordSuccess(keys);
      const sessionId = await startSession(request, reply, deps, user.id);
      request.principal = {
        sessionId,
        userId: user.id,
        username: user.username,
        role: user.role,
        mustChangePassword: user.must_change_password,
        via: 'session',
      };
      await recordAudit(
        db,
        { action: 'auth.login', target: `user:${user.id}`, outcome: 'success' },
        request,
      );

      return { user: toUserResponse(user) };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'End the current session',
        response: withErrorResponses(noContentResponse),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      if (principal.sessionId) await sessions.invalidate(principal.sessionId);
      const blank = sessions.blankCookie(request.protocol === 'https');
      void reply.setCookie(blank.name, blank.value, blank.options);
      await recordAudit(
        db,
        { action: 'auth.logout', target: `user:${principal.userId}`, outcome: 'success' },
        request,
      );

      return reply.status(204).send();
    },
  );

  app.get(
    '/api/auth/me',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'The signed-in user',
        response: withErrorResponses({ 200: userEnvelopeSchema }),
      },
    },
    async (request) => {
      const user = await findUserById(db, principalOf(request).userId);
      if (!user) throw new ApiError('UNAUTHENTICATED', 'The account no longer exists.');

      return { user: toUserResponse(user) };
    },
  );

  app.post<{ Body: ChangePasswordBody }>(
    '/api/auth/password',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Change your own password; ends your other sessions',
        body: changePasswordBodySchema,
        response: withErrorResponses({ 200: userEnvelopeSchema }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { currentPassword, newPassword } = request.body;
      const keys = loginThrottleKeys(principal.username, request.ip);
      const retryAfterSeconds = await loginThrottle.retryAfterSeconds(keys);
      if (retryAfterSeconds > 0) {
        void reply.header('retry-after', String(retryAfterSeconds));
        throw new ApiError(
          'RATE_LIMITED',
          `Too many wrong passwords; try again in ${retryAfterSeconds} seconds.`,
        );
      }
      const user = await findUserById(db, principal.userId);
      if (!user) throw new ApiError('UNAUTHENTICATED', 'The account no longer exists.');

      if (!(await verifyPassword(user.password_hash, currentPassword))) {
        await loginThrottle.recordFailure(keys);
        await recordAudit(
          db,
          {
            action: 'auth.password.change',
            target: `user:${user.id}`,
            outcome: 'failure',
            details: { reason: 'wrong current password' },
          },
          request,
        );
        throw new ApiError('VALIDATION_FAILED', 'The current password is wrong.', {
          field: 'body.currentPassword',
        });
      }
      assertAcceptablePassword(newPassword, user.username, 'body.newPassword');
      if (newPassword === currentPassword) {
        throw new ApiError(
          'VALIDATION_FAILED',
          'The new password must differ from the current one.',
          { field: 'body.newPassword' },
        );
      }

      const updated = await db
        .updateTable('users')
        .set({
          password_hash: await hashPassword(newPassword),
          must_change_password: false,
          updated_at: new Date(),
        })
        .where('id', '=', user.id)
        .returningAll()
        .executeTakeFirstOrThrow();

      // Every session of this user ends; the caller's own is replaced by a fresh one.
      await sessions.invalidateAllOfUser(user.id);
      if (principal.via === 'session') await startSession(request, reply, deps, user.id);
      await recordAudit(
        db,
        { action: 'auth.password.change', target: `user:${user.id}`, outcome: 'success' },
        request,
      );

      return { user: toUserResponse(updated) };
    },
  );
}

async function startSession(
  request: FastifyRequest,
  reply: FastifyReply,
  { sessions }: RouteDependencies,
  userId: string,
): Promise<string> {
  const { sessionId } = await sessions.create(userId);
  const cookie = sessions.cookie(sessionId, request.protocol === 'https');
  void reply.setCookie(cookie.name, cookie.value, cookie.options);

  return sessionId;
}

/** One log line per refused sign-in, which operators grep for, plus an audit entry. */
async function refuseLogin(
  db: Kysely<Database>,
  request: FastifyRequest,
  username: string,
  reason: string,
  outcome: 'failure' | 'denied',
): Promise<void> {
  request.log.warn({ username, address: request.ip, reason }, 'authentication failed');
  await recordAudit(
    db,
    {
      action: 'auth.login',
      target: null,
      outcome,
      details: { reason },
      actor: { userId: null, username },
    },
    request,
  );
}
