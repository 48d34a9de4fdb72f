import type { FastifyInstance } from 'fastify';
import { ulid } from 'ulid';
import { recordAudit } from '../audit';
import { hasRole, principalOf } from '../auth/access';
import { generateApiToken, hashApiToken } from '../auth/api-tokens';
import type { RouteDependencies } from '../auth/services';
import { ApiError } from '../errors';
import { idParamsSchema, noContentResponse, withErrorResponses } from '../schemas/common';
import { createdTokenSchema, createTokenBodySchema, tokenListSchema } from '../schemas/tokens';

interface CreateTokenBody {
  name: string;
  expiresInDays?: number;
}

interface TokenRecord {
  id: string;
  name: string;
  userId: string;
  username: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const tags = ['tokens'];
// Any signed-in user manages their own tokens; a token acts with its owner's role.
const config = { access: 'viewer' } as const;

/** API tokens for scripts: `Authorization: Bearer bfl_…`. */
export async function tokenRoutes(app: FastifyInstance, { db }: RouteDependencies): Promise<void> {
  const selectTokens = () =>
    db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .select([
        'api_tokens.id',
        'api_tokens.name',
        'api_tokens.user_id as userId',
        'users.username',
        'api_tokens.created_at as createdAt',
        'api_tokens.expires_at as expiresAt',
        'api_tokens.last_used_at as lastUsedAt',
      ]);

  app.get(
    '/api/tokens',
    {
      config,
      schema: {
        tags,
        summary: 'Your API tokens (administrators see everyone’s)',
        response: withErrorResponses({ 200: tokenListSchema }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      let query = selectTokens().orderBy('api_tokens.created_at', 'desc');
      if (!hasRole(principal, 'admin'))
        query = query.where('api_tokens.user_id', '=', principal.userId);
      const rows = await query.execute();

      return { tokens: rows };
    },
  );

  app.post<{ Body: CreateTokenBody }>(
    '/api/tokens',
    {
      config,
      schema: {
        tags,
        summary: 'Create an API token; the token itself is returned only here',
        body: createTokenBodySchema,
        response: withErrorResponses({ 201: createdTokenSchema }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { name, expiresInDays } = request.body;
      const token = generateApiToken();
      const expiresAt = expiresInDays ? new Date(Date.now() + expiresInDays * DAY_MS) : null;

      const row = await db
        .insertInto('api_tokens')
        .values({
          id: ulid(),
          user_id: principal.userId,
          name,
          token_hash: hashApiToken(token),
          expires_at: expiresAt,
        })
        .returning(['id', 'created_at'])
        .executeTakeFirstOrThrow();

      await recordAudit(
        db,
        {
          action: 'token.create',
          target: `token:${row.id}`,
          outcome: 'success',
          details: { name, expiresInDays },
        },
        request,
      );
      const created: TokenRecord & { token: string } = {
        id: row.id,
        name,
        userId: principal.userId,
        username: principal.username,
        createdAt: row.created_at,
        expiresAt,
        lastUsedAt: null,
        token,
      };
      return reply.status(201).send(created);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/tokens/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Revoke an API token (your own; administrators any)',
        params: idParamsSchema,
        response: withErrorResponses(noContentResponse),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { id } = request.params;
      let query = db.deleteFrom('api_tokens').where('id', '=', id);
      // Someone else's token answers 404 like a missing one, so ids of others are not confirmed.
      if (!hasRole(principal, 'admin')) query = query.where('user_id', '=', principal.userId);
      const result = await query.executeTakeFirst();

      if (Number(result.numDeletedRows) === 0) {
        throw new ApiError('NOT_FOUND', `No API token with id ${id}.`);
      }
      await recordAudit(
        db,
        { action: 'token.delete', target: `token:${id}`, outcome: 'success' },
        request,
      );
      return reply.status(204).send();
    },
  );
}
