import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminSession,
  createApiTestContext,
  createUserSession,
  login,
  type ApiTestContext,
  type BrowserSession,
} from '../helpers/api';

const MISSING_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

let context: ApiTestContext;
let admin: BrowserSession;

beforeAll(async () => {
  context = await createApiTestContext();
  admin = await adminSession(context.app);
});

afterAll(async () => {
  await context?.close();
});

function request(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) {
  return context.app.inject({
    method,
    url,
    headers: admin.headers,
    ...(payload ? { payload } : {}),
  });
}

describe('POST /api/users', () => {
  it('creates a user who must change the password at first sign-in', async () => {
    const response = await request('POST', '/api/users', {
      username: 'olivia',
      password: 'first-password-for-o',
      role: 'operator',
    });

    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({
      username: 'olivia',
      role: 'operator',
      mustChangePassword: true,
    });
    expect(response.json()).not.toHaveProperty('password');
    expect(JSON.stringify(response.json())).not.toContain('argon2');
    const row = await context.database.db
      .selectFrom('users')
      .select('password_hash')
      .where('username', '=', 'olivia')
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('answers 409 for a username that exists', async () => {
    const response = await request('POST', '/api/users', {
      username: 'admin',
      password: 'whatever-long-enough',
      role: 'viewer',
    });

    expect(response.statusCode).toBe(409);
    expect(response.json().error).toMatchObject({ code: 'CONFLICT', field: 'body.username' });
  });

  it.each([
    [{ username: 'Upper', password: 'long-enough-password', role: 'viewer' }, 'body.username'],
    [{ username: 'nobody', password: 'long-enough-password', role: 'root' }, 'body.role'],
    [{ username: 'nobody', password: 'short', role: 'viewer' }, 'body.password'],
    [
      { username: 'nobody', password: 'long-enough-password', role: 'viewer', isAdmin: true },
      'body.isAdmin',
    ],
    [{ username: 'nobody', role: 'viewer' }, 'body.password'],
  ])('refuses %j with 400 naming %s', async (payload, field) => {
    const response = await request('POST', '/api/users', payload);

    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field });
  });
});

describe('GET /api/users', () => {
  it('lists users without password hashes', async () => {
    const response = await request('GET', '/api/users');

    expect(response.statusCode).toBe(200);
    expect(
      response.json<{ users: Array<{ username: string }> }>().users.map((user) => user.username),
    ).toContain('admin');
    expect(response.body).not.toContain('password_hash');
    expect(response.body).not.toContain('$argon2');
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    const missing = await request('GET', `/api/users/${MISSING_ID}`);
    const malformed = await request('GET', '/api/users/not-an-id');

    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('NOT_FOUND');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.field).toBe('params.id');
  });
});

describe('PATCH /api/users/:id', () => {
  it('resets a password, flags the change and ends the user’s sessions', async () => {
    const user = await createUserSession(context.app, admin, 'viewer');

    const response = await request('PATCH', `/api/users/${user.userId}`, {
      password: 'reset-by-the-admin-1',
    });

    expect(response.statusCode).toBe(200);
    expect(response.json().mustChangePassword).toBe(true);
    const me = await context.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: user.headers,
    });
    expect(me.statusCode).toBe(401);
    await login(context.app, user.username, 'reset-by-the-admin-1');
  });

  it('changes the role, which takes effect on the next request', async () => {
    const user = await createUserSession(context.app, admin, 'viewer');
    const before = await context.app.inject({
      method: 'GET',
      url: '/api/users',
      headers: user.headers,
    });

    const response = await request('PATCH', `/api/users/${user.userId}`, { role: 'admin' });

    expect(before.statusCode).toBe(403);
    expect(response.json().role).toBe('admin');
    const after = await context.app.inject({
      method: 'GET',
      url: '/api/users',
      headers: user.headers,
    });
    expect(after.statusCode).toBe(200);
  });

  it('refuses to demote the last administrator with 409', async () => {
    const admins = await context.database.db
      .selectFrom('users')
      .select('id')
      .where('role', '=', 'admin')
      .execute();
    for (const { id } of admins.filter(({ id }) => id !== admin.userId)) {
      await request('PATCH', `/api/users/${id}`, { role: 'viewer' });
    }

    const response = await request('PATCH', `/api/users/${admin.userId}`, { role: 'operator' });

    expect(response.statusCode).toBe(409);
    expect(response.json().error.code).toBe('CONFLICT');
  });

  it('refuses an empty body, an unknown field and an unknown user', async () => {
    const empty = await request('PATCH', `/api/users/${admin.userId}`, {});
    const unknown = await request('PATCH', `/api/users/${admin.userId}`, { username: 'renamed' });
    const missing = await request('PATCH', `/api/users/${MISSING_ID}`, { role: 'viewer' });

    expect(empty.statusCode).toBe(400);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.field).toBe('body.username');
    expect(missing.statusCode).toBe(404);
  });
});

describe('DELETE /api/users/:id', () => {
  it('deletes a user together with their sessions and tokens', async () => {
    const user = await createUserSession(context.app, admin, 'operator');

    const response = await request('DELETE', `/api/users/${user.userId}`);

    expect(response.statusCode).toBe(204);
    const me = await context.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: user.headers,
    });
    expect(me.statusCode).toBe(401);
    expect((await request('GET', `/api/users/${user.userId}`)).statusCode).toBe(404);
  });

  it('refuses to delete one’s own account and answers 404 for an unknown user', async () => {
    const self = await request('DELETE', `/api/users/${admin.userId}`);
    const missing = await request('DELETE', `/api/users/${MISSING_ID}`);

    expect(self.statusCode).toBe(409);
    expect(missing.statusCode).toBe(404);
  });

  it('refuses to delete the last administrator', async () => {
    const other = await createUserSession(context.app, admin, 'admin');
    const admins = await context.database.db
      .selectFrom('users')
      .select('id')
      .where('role', '=', 'admin')
      .execute();
    for (const { id } of admins.filter(({ id }) => id !== admin.userId && id !== other.userId)) {
      await request('PATCH', `/api/users/${id}`, { role: 'viewer' });
    }
    // `other` deletes the first admin, leaving itself as the last one.
    const first = await context.app.inject({
      method: 'DELETE',
      url: `/api/users/${admin.userId}`,
      headers: other.headers,
    });
    expect(first.statusCode).toBe(204);

    const last = await context.app.inject({
      method: 'PATCH',
      url: `/api/users/${other.userId}`,
      headers: other.headers,
      payload: { role: 'viewer' },
    });
    expect(last.statusCode).toBe(409);
    expect(last.json().error.message).toContain('last administrator');
  });
});
