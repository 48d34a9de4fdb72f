import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiToken } from '../../api/auth/api-tokens';
import {
  adminSession,
  bearer,
  createApiTestContext,
  createToken,
  createUserSession,
  type ApiTestContext,
  type BrowserSession,
} from '../helpers/api';

let context: ApiTestContext;
let admin: BrowserSession;
let operator: BrowserSession;

beforeAll(async () => {
  context = await createApiTestContext();
  admin = await adminSession(context.app);
  operator = await createUserSession(context.app, admin, 'operator');
});

afterAll(async () => {
  await context?.close();
});

describe('POST /api/tokens', () => {
  it('returns a prefixed token once and stores only its SHA-256 digest', async () => {
    const response = await context.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: operator.headers,
      payload: { name: 'ci', expiresInDays: 30 },
    });

    expect(response.statusCode).toBe(201);
    const { id, token, expiresAt } = response.json<{
      id: string;
      token: string;
      expiresAt: string;
    }>();
    expect(token).toMatch(/^bfl_[A-Za-z0-9_-]{43}$/);
    expect(new Date(expiresAt).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    const row = await context.database.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(hashApiToken(token));
    expect(JSON.stringify(row)).not.toContain(token);
    const list = await context.app.inject({
      method: 'GET',
      url: '/api/tokens',
      headers: operator.headers,
    });
    expect(list.body).not.toContain(token);
  });

  it('refuses an unknown field and an out-of-range lifetime', async () => {
    for (const payload of [
      { name: 'x', scope: 'all' },
      { name: 'x', expiresInDays: 0 },
      { expiresInDays: 3 },
    ]) {
      const response = await context.app.inject({
        method: 'POST',
        url: '/api/tokens',
        headers: operator.headers,
        payload,
      });

      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('VALIDATION_FAILED');
      expect(response.json().error.field).toMatch(/^body\./);
    }
  });
});

describe('Bearer token authentication', () => {
  it('acts with the owner’s role, needs no Origin, and records last use', async () => {
    const token = await createToken(context.app, operator);

    const me = await context.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: bearer(token),
    });
    const users = await context.app.inject({
      method: 'GET',
      url: '/api/users',
      headers: bearer(token),
    });
    const created = await context.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: bearer(token),
      payload: { name: 'from a token' },
    });

    expect(me.json().user).toMatchObject({ username: operator.username, role: 'operator' });
    expect(users.statusCode).toBe(403);
    expect(created.statusCode).toBe(201);
    const row = await context.database.db
      .selectFrom('api_tokens')
      .select('last_used_at')
      .where('token_hash', '=', hashApiToken(token))
      .executeTakeFirstOrThrow();
    expect(row.last_used_at).not.toBeNull();
  });

  it('answers 401 for an unknown, malformed or expired token', async () => {
    const expired = await createToken(context.app, operator, {
      name: 'short-lived',
      expiresInDays: 1,
    });
    await context.database.db
      .updateTable('api_tokens')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('token_hash', '=', hashApiToken(expired))
      .execute();

    for (const authorization of [
      `Bearer bfl_${'A'.repeat(43)}`,
      'Bearer nonsense',
      'Basic YWRtaW46YWRtaW4=',
      `Bearer ${expired}`,
    ]) {
      const response = await context.app.inject({
        method: 'GET',
        url: '/api/auth/me',
        headers: { authorization },
      });

      expect(response.statusCode, authorization).toBe(401);
      expect(response.json().error.code).toBe('UNAUTHENTICATED');
    }
  });
});

describe('GET /api/tokens', () => {
  it('shows a user their own tokens and an administrator everyone’s', async () => {
    await createToken(context.app, admin, { name: 'admin-only' });

    const own = await context.app.inject({
      method: 'GET',
      url: '/api/tokens',
      headers: operator.headers,
    });
    const all = await context.app.inject({
      method: 'GET',
      url: '/api/tokens',
      headers: admin.headers,
    });

    type TokenList = { tokens: Array<{ name: string; userId: string; username: string }> };
    const ownTokens = own.json<TokenList>().tokens;
    const ownNames = ownTokens.map((token) => token.name);
    expect(ownNames).not.toContain('admin-only');
    expect(ownTokens.every((token) => token.userId === operator.userId)).toBe(true);
    expect(all.json<TokenList>().tokens.map((token) => token.username)).toEqual(
      expect.arrayContaining(['admin', operator.username]),
    );
  });
});

describe('DELETE /api/tokens/:id', () => {
  it('revokes one’s own token, after which it no longer authenticates', async () => {
    const token = await createToken(context.app, operator);
    const { id } = await context.database.db
      .selectFrom('api_tokens')
      .select('id')
      .where('token_hash', '=', hashApiToken(token))
      .executeTakeFirstOrThrow();

    const response = await context.app.inject({
      method: 'DELETE',
      url: `/api/tokens/${id}`,
      headers: operator.headers,
    });

    expect(response.statusCode).toBe(204);
    const me = await context.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: bearer(token),
    });
    expect(me.statusCode).toBe(401);
  });

  it('answers 404 to a non-administrator for someone else’s token, and lets an administrator delete it', async () => {
    const token = await createToken(context.app, admin, { name: 'admins' });
    const { id } = await context.database.db
      .selectFrom('api_tokens')
      .select('id')
      .where('token_hash', '=', hashApiToken(token))
      .executeTakeFirstOrThrow();
    const operatorsToken = await createToken(context.app, operator, { name: 'operators' });
    const operatorsRow = await context.database.db
      .selectFrom('api_tokens')
      .select('id')
      .where('token_hash', '=', hashApiToken(operatorsToken))
      .executeTakeFirstOrThrow();

    const byOperator = await context.app.inject({
      method: 'DELETE',
      url: `/api/tokens/${id}`,
      headers: operator.headers,
    });
    const byAdmin = await context.app.inject({
      method: 'DELETE',
      url: `/api/tokens/${operatorsRow.id}`,
      headers: admin.headers,
    });

    expect(byOperator.statusCode).toBe(404);
    expect(byAdmin.statusCode).toBe(204);
  });
});
