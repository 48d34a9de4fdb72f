import type { FastifyInstance } from 'fastify';
import { ulid } from 'ulid';
import type { UserRow, UserUpdate } from '../../core/db/schema';
import { recordAudit } from '../audit';
import { principalOf, type Role } from '../auth/access';
import { assertAcceptablePassword, hashPassword } from '../auth/passwords';
import type { RouteDependencies } from '../auth/services';
import { findUserById, lockAdminCount, toUserResponse } from '../auth/user-store';
import { ApiError } from '../errors';
import {
  idParamsSchema,
  noContentResponse,
  withErrorResponses,
  schemaRef,
} from '../schemas/common';
import { createUserBodySchema, updateUserBodySchema, userListSchema } from '../schemas/users';

interface CreateUserBody {
  username: string;
  password: string;
  role: Role;
}

interface UpdateUserBody {
  role?: Role;
  password?: string;
}

interface IdParams {
  id: string;
}

const UNIQUE_VIOLATION = '23505';
const tags = ['users'];
const config = { access: 'admin' } as const;

/** User accounts; administrators only. */
export async function userRoutes(app: FastifyInstance, deps: RouteDependencies): Promise<void> {
  const { db, sessions } = deps;

  app.get(
    '/api/users',
    {
      config,
      schema: {
        tags,
        summary: 'List users',
        response: withErrorResponses({ 200: userListSchema }),
      },
    },
    async () => {
      const rows = await db.selectFrom('users').selectAll().orderBy('username').execute();

      return { users: rows.map(toUserResponse) };
    },
  );

  app.get<{ Params: IdParams }>(
    '/api/users/:id',
    {
      config,
      schema: {
        tags,
        summary: 'One user',
        params: idParamsSchema,
        response: withErrorResponses({ 200: schemaRef('User') }),
      },
    },
    async (request) => toUserResponse(await requireUser(deps, request.params.id)),
  );

  app.post<{ Body: CreateUserBody }>(
    '/api/users',
    {
      config,
      schema: {
        tags,
        summary: 'Create a user; they must change the password at first sign-in',
        body: createUserBodySchema,
        response: withErrorResponses({ 201: schemaRef('User') }),
      },
    },
    async (request, reply) => {
      const { username, password, role } = request.body;
      assertAcceptablePassword(password, username, 'body.password');
      const passwordHash = await hashPassword(password);

      const row = await db
        .insertInto('users')
        .values({
          id: ulid(),
          username,
          password_hash: passwordHash,
          role,
          must_change_password: true,
        })
        .returningAll()
        .executeTakeFirstOrThrow()
        .catch((error: unknown) => {
          if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
          throw new ApiError('CONFLICT', `A user named ${username} already exists.`, {
            field: 'body.username',
          });
        });

      await recordAudit(
        db,
        {
          action: 'user.create',
          target: `user:${row.id}`,
          outcome: 'success',
          details: { username, role },
        },
        request,
      );
      return reply.status(201).send(toUserResponse(row));
    },
  );

  app.patch<{ Params: IdParams; Body: UpdateUserBody }>(
    '/api/users/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Change the role or reset the password (the user must change it at next sign-in)',
        params: idParamsSchema,
        body: updateUserBodySchema,
        response: withErrorResponses({ 200: schemaRef('User') }),
      },
    },
    async (request) => {
      const { id } = request.params;
      const { role, password } = request.body;
      const target = await requireUser(deps, id);
      if (password !== undefined) {
        assertAcceptablePassword(password, target.username, 'body.password');
      }
      const changes: UserUpdate = {};
      if (role !== undefined) changes.role = role;
      if (password !== undefined) {
        changes.password_hash = await hashPassword(password);
        changes.must_change_password = true;
      }

      const updated = await db.transaction().execute(async (trx) => {
        if (target.role === 'admin' && role !== undefined && role !== 'admin') {
          assertAnotherAdminRemains(await lockAdminCount(trx), 'demote');
        }
        return trx
          .updateTable('users')
          .set({ ...changes, updated_at: new Date() })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst();
      });
      if (!updated) throw notFound(id);

      // A reset password was known to someone else: sessions opened with the old one end.
      if (password !== undefined) await sessions.invalidateAllOfUser(id);
      await recordAudit(
        db,
        {
          action: 'user.update',
          target: `user:${id}`,
          outcome: 'success',
          details: { role, isPasswordReset: password !== undefined },
        },
        request,
      );
      return toUserResponse(updated);
    },
  );

  app.delete<{ Params: IdParams }>(
    '/api/users/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Delete a user with their sessions and API tokens',
        params: idParamsSchema,
        response: withErrorResponses(noContentResponse),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (id === principalOf(request).userId) {
        throw new ApiError('CONFLICT', 'You cannot delete your own account.');
      }
      const target = await requireUser(deps, id);

      await db.transaction().execute(async (trx) => {
        if (target.role === 'admin') assertAnotherAdminRemains(await lockAdminCount(trx), 'delete');
        await trx.deleteFrom('users').where('id', '=', id).execute();
      });

      await recordAudit(
        db,
        {
          action: 'user.delete',
          target: `user:${id}`,
          outcome: 'success',
          details: { username: target.username },
        },
        request,
      );
      return reply.status(204).send();
    },
  );
}

async function requireUser({ db }: RouteDependencies, id: string): Promise<UserRow> {
  const row = await findUserById(db, id);
  if (!row) throw notFound(id);

  return row;
}

function notFound(id: string): ApiError {
  return new ApiError('NOT_FOUND', `No user with id ${id}.`);
}

function assertAnotherAdminRemains(adminCount: number, verb: string): void {
  if (adminCount > 1) return;
  throw new ApiError(
    'CONFLICT',
    `Cannot ${verb} the last administrator; make another user admin first.`,
  );
}
