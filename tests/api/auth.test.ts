import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ADMIN_PASSWORD } from '../../api/auth/default-admin';
import {
  ADMIN_PASSWORD,
  adminSession,
  createApiTestContext,
  createUserSession,
  login,
  nextClientAddress,
  SAME_ORIGIN,
  sessionCookieOf,
  type ApiTestContext,
  type BrowserSession,
} from '../helpers/api';

let context: ApiTestContext;

beforeAll(async () => {
  context = await createApiTestContext();
});

afterAll(async () => {
  await context?.close();
});

describe('POST /api/auth/login', () => {
  it('signs the default administrator in with a session cookie and flags the password change', async () => {
    const response = await context.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'admin', password: DEFAULT_ADMIN_PASSWORD },
      remoteAddress: nextClientAddress(),
    });

    expect(response.statusCode).toBe(200);
    expect(response.json().user).toMatchObject({
      username: 'admin',
      role: 'admin',
      mustChangePassword: true,
    });
    expect(response.json().user).not.toHaveProperty('passwordHash');
    const cookie = response.cookies.find((entry) => entry.name === 'borgflow_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie?.secure).toBeFalsy();
  });

  it('stores only a hash of the session token, so a database copy signs nobody in', async () => {
    const response = await context.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'admin', password: DEFAULT_ADMIN_PASSWORD },
      remoteAddress: nextClientAddress(),
    });
    const token = response.cookies.find((entry) => entry.name === 'borgflow_session')!.value;

    const ids = (await context.database.db.selectFrom('user_sessions').select('id').execute()).map(
      (row) => row.id,
    );
    expect(ids).not.toContain(token);
    expect(ids).toContain(createHash('sha256').update(token).digest('hex'));
    // Presenting the stored value as a cookie does not work either.
    const withStoredId = await context.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: { cookie: `borgflow_session=${createHash('sha256').update(token).digest('hex')}` },
    });
    const withToken = await context.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: { cookie: `borgflow_session=${token}` },
    });
    expect(withStoredId.statusCode).toBe(401);
    expect(withToken.statusCode).toBe(200);
  });

  it('marks the cookie Secure when a trusted proxy says the request came over HTTPS', async () => {
    const proxied = await createApiTestContext({ TRUST_PROXY: 'true' });
    try {
      const response = await proxied.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'x-forwarded-proto': 'https' },
        payload: { username: 'admin', password: DEFAULT_ADMIN_PASSWORD },
      });

      expect(response.statusCode).toBe(200);
      expect(response.cookies.find((entry) => entry.name === 'borgflow_session')?.secure).toBe(
        true,
      );
    } finally {
      await proxied.close();
    }
  });

  it('answers 401 INVALID_CREDENTIALS for a wrong password and for an unknown user alike', async () => {
    for (const username of ['admin', 'nobody-here']) {
      const response = await context.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username, password: 'definitely wrong' },
        remoteAddress: nextClientAddress(),
      });

      expect(response.statusCode).toBe(401);
      expect(response.json().error).toEqual({
        code: 'INVALID_CREDENTIALS',
        message: 'Wrong username or password.',
      });
      expect(sessionCookieOf(response)).toBeUndefined();
    }
  });

  it('rejects a missing field and an unknown field with 400 naming the field', async () => {
    const missing = await context.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'admin' },
    });
    const unknown = await context.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'admin', password: 'x', remember: true },
    });

    expect(missing.statusCode).toBe(400);
    expect(missing.json().error).toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'body.password',
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error).toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'body.remember',
    });
  });

  it('refuses a sign-in form posted from another site', async () => {
    const response = await context.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { origin: 'https://evil.example' },
      payload: { username: 'admin', password: DEFAULT_ADMIN_PASSWORD },
    });

    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('ORIGIN_MISMATCH');
  });
});

describe('must-change-password gate', () => {
  it('lets a fresh administrator read /me but answers 403 PASSWORD_CHANGE_REQUIRED elsewhere', async () => {
    const session = await login(context.app, 'admin', DEFAULT_ADMIN_PASSWORD);
    const me = await context.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: session.headers,
    });
    const users = await context.app.inject({
      method: 'GET',
      url: '/api/users',
      headers: session.headers,
    });
    const tokens = await context.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: session.headers,
      payload: { name: 'sneaky' },
    });

    expect(me.statusCode).toBe(200);
    expect(me.json().user.mustChangePassword).toBe(true);
    expect(users.statusCode).toBe(403);
    expect(users.json().error.code).toBe('PASSWORD_CHANGE_REQUIRED');
    expect(tokens.statusCode).toBe(403);
    expect(tokens.json().error.code).toBe('PASSWORD_CHANGE_REQUIRED');
  });
});

describe('POST /api/auth/password', () => {
  let admin: BrowserSession;

  beforeAll(async () => {
    admin = await adminSession(context.app);
  });

  it('clears the flag, renews the current session and ends the other sessions', async () => {
    const user = await createUserSession(context.app, admin, 'viewer');
    const other = await login(context.app, user.username, user.password);
    const newPassword = 'a-much-better-passphrase-7';

    const response = await context.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: user.headers,
      payload: { currentPassword: user.password, newPassword },
    });

    expect(response.statusCode).toBe(200);
    expect(response.json().user.mustChangePassword).toBe(false);
    const renewed = sessionCookieOf(response);
    expect(renewed).toBeDefined();
    expect(renewed).not.toBe(user.headers.cookie);
    const withRenewed = await context.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: { cookie: renewed! },
    });
    const withOld = await context.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: user.headers,
    });
    const withOther = await context.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: other.headers,
    });
    expect(withRenewed.statusCode).toBe(200);
    expect(withOld.statusCode).toBe(401);
    expect(withOther.statusCode).toBe(401);
    await login(context.app, user.username, newPassword);
  });

  it.each([
    ['short', 'Short-1', 'at least 12 characters'],
    ['the username', 'USERNAME', 'must not be the username'],
    ['containing the username', 'my-USERNAME-is-great', 'must not contain the username'],
    ['a common password', 'password123456', 'most common passwords'],
    ['a common password in other case', 'Password123456', 'most common passwords'],
  ])('refuses a new password that is %s', async (_label, candidate, message) => {
    const user = await createUserSession(
      context.app,
      admin,
      'viewer',
      `pwuser-${randomBytes(4).toString('hex')}`,
    );
    const newPassword = candidate.replace('USERNAME', user.username.toUpperCase());

    const response = await context.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: user.headers,
      payload: { currentPassword: user.password, newPassword },
    });

    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'body.newPassword',
    });
    expect(response.json().error.message).toContain(message);
  });

  it('refuses a wrong current password with 400 naming currentPassword', async () => {
    const user = await createUserSession(context.app, admin, 'viewer');

    const response = await context.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: user.headers,
      payload: { currentPassword: 'not-the-password', newPassword: 'another-fine-passphrase' },
    });

    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'body.currentPassword',
    });
  });

  it('has changed the default administrator password for good', async () => {
    const old = await context.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'admin', password: DEFAULT_ADMIN_PASSWORD },
      remoteAddress: nextClientAddress(),
    });

    expect(old.statusCode).toBe(401);
    await login(context.app, 'admin', ADMIN_PASSWORD);
  });
});

describe('POST /api/auth/logout', () => {
  it('ends the session and clears the cookie', async () => {
    const session = await login(context.app, 'admin', ADMIN_PASSWORD);

    const response = await context.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: session.headers,
    });

    expect(response.statusCode).toBe(204);
    expect(response.cookies.find((entry) => entry.name === 'borgflow_session')?.value).toBe('');
    const me = await context.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: session.headers,
    });
    expect(me.statusCode).toBe(401);
  });

  it('needs the Origin of this site when authenticated by cookie', async () => {
    const session = await login(context.app, 'admin', ADMIN_PASSWORD);

    const response = await context.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie: session.headers.cookie },
    });

    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('ORIGIN_MISMATCH');
    expect(SAME_ORIGIN).toBe('http://localhost');
  });
});

describe('GET /api/auth/me', () => {
  it('answers 401 UNAUTHENTICATED without credentials', async () => {
    const response = await context.app.inject({ method: 'GET', url: '/api/auth/me' });

    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('UNAUTHENTICATED');
  });

  it('answers 401 and clears the cookie for an unknown session', async () => {
    const response = await context.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: { cookie: 'borgflow_session=abcdefghijklmnopqrstuvwxyz234567abcdefgh' },
    });

    expect(response.statusCode).toBe(401);
    expect(response.cookies.find((entry) => entry.name === 'borgflow_session')?.value).toBe('');
  });
});
