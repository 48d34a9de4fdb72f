import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../api/auth/login-throttle';
import {
  ADMIN_PASSWORD,
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

beforeAll(async () => {
  context = await createApiTestContext();
  admin = await adminSession(context.app);
});

afterAll(async () => {
  await context?.close();
});

const tokenPayload = { name: 'csrf probe' };

describe('origin check on cookie-authenticated changes', () => {
  it.each([
    ['no Origin or Referer', {}],
    ['a foreign Origin', { origin: 'https://evil.example' }],
    ['a foreign Referer', { referer: 'https://evil.example/page' }],
    ['Origin "null"', { origin: 'null' }],
    ['the same host on another port', { origin: 'http://localhost:8081' }],
  ])('refuses %s with 403 ORIGIN_MISMATCH', async (_label, headers) => {
    const response = await context.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: { cookie: admin.headers.cookie, ...headers },
      payload: tokenPayload,
    });

    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('ORIGIN_MISMATCH');
  });

  it('accepts a same-site Referer when Origin is absent, and reads need no Origin', async () => {
    const post = await context.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: { cookie: admin.headers.cookie, referer: 'http://localhost/settings/tokens' },
      payload: tokenPayload,
    });
    const read = await context.app.inject({
      method: 'GET',
      url: '/api/tokens',
      headers: { cookie: admin.headers.cookie },
    });

    expect(post.statusCode).toBe(201);
    expect(read.statusCode).toBe(200);
  });

  it('exempts Bearer tokens, which browsers never attach on their own', async () => {
    const token = await createToken(context.app, admin);

    const response = await context.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: { ...bearer(token), origin: 'https://evil.example' },
      payload: tokenPayload,
    });

    expect(response.statusCode).toBe(201);
  });

  it('ignores X-Forwarded-Host and -Proto unless TRUST_PROXY is on', async () => {
    const forwarded = {
      'x-forwarded-host': 'backups.example.com',
      'x-forwarded-proto': 'https',
      origin: 'https://backups.example.com',
    };
    const direct = await context.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: { cookie: admin.headers.cookie, ...forwarded },
      payload: tokenPayload,
    });
    expect(direct.statusCode).toBe(403);

    const proxied = await createApiTestContext({ TRUST_PROXY: 'true' });
    try {
      const proxiedAdmin = await adminSession(proxied.app);
      const response = await proxied.app.inject({
        method: 'POST',
        url: '/api/tokens',
        headers: { cookie: proxiedAdmin.headers.cookie, ...forwarded },
        payload: tokenPayload,
      });

      expect(response.statusCode).toBe(201);
    } finally {
      await proxied.close();
    }
  });
});

describe('login lockout', () => {
  it('locks a username out after five failures with 429, Retry-After, one log line per failure and audit entries', async () => {
    const victim = await createUserSession(context.app, admin, 'viewer', 'lockout-target');
    const linesBefore = context.logs.lines.length;
    const attempt = (password: string, remoteAddress: string) =>
      context.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: victim.username, password },
        remoteAddress,
      });

    const failures = [];
    for (let index = 0; index < 5; index += 1)
      failures.push(await attempt('guess-number-' + index, `192.0.2.${index + 1}`));
    const locked = await attempt(victim.password, '192.0.2.99');

    expect(failures.map((response) => response.statusCode)).toEqual([401, 401, 401, 401, 401]);
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('RATE_LIMITED');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const lines = context.logs.lines
      .slice(linesBefore)
      .filter((line) => line.includes('authentication failed'));
    expect(lines).toHaveLength(6);
    for (const line of lines) {
      const entry = JSON.parse(line);
      expect(entry.username).toBe(victim.username);
      expect(entry.address).toMatch(/^192\.0\.2\./);
      expect(entry.level).toBeGreaterThanOrEqual(30);
      expect(line).not.toContain('guess-number');
      expect(line).not.toContain(victim.password);
    }
    const audit = await context.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'auth.login')
      .where('outcome', 'in', ['failure', 'denied'])
      .execute();
    expect(audit.filter((entry) => entry.username === victim.username)).toHaveLength(6);
  });

  it('caps sign-in attempts per address with the route rate limit', async () => {
    const responses = [];
    for (let index = 0; index < 32; index += 1) {
      responses.push(
        await context.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { username: `nobody${index}`, password: 'x' },
          remoteAddress: '198.51.100.7',
        }),
      );
    }

    const limited = responses.at(-1)!;
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('RATE_LIMITED');
    expect(limited.headers['retry-after']).toBeDefined();
  });
});

describe('LoginThrottle', () => {
  it('doubles the lockout with each further failure up to the cap and forgets after success', async () => {
    let now = Date.now();
    const throttle = new LoginThrottle(context.database.db, {
      maxFailures: 3,
      baseLockoutMs: 1000,
      maxLockoutMs: 4000,
      now: () => now,
    });
    const keys = [`user:doubling-${randomSuffix()}`];

    await throttle.recordFailure(keys);
    await throttle.recordFailure(keys);
    expect(await throttle.retryAfterSeconds(keys)).toBe(0);
    const lockouts = [];
    for (let index = 0; index < 4; index += 1) {
      await throttle.recordFailure(keys);
      lockouts.push(await throttle.retryAfterSeconds(keys));
    }
    expect(lockouts).toEqual([1, 2, 4, 4]);
    now += 4000;
    expect(await throttle.retryAfterSeconds(keys)).toBe(0);
    await throttle.recordSuccess(keys);
    await throttle.recordFailure(keys);
    expect(await throttle.retryAfterSeconds(keys)).toBe(0);
  });

  it('keeps a lockout across a restart of the API and forgets old failures', async () => {
    let now = Date.now();
    const options = { maxFailures: 2, forgetAfterMs: 60_000, now: () => now };
    const keys = [`address:restart-${randomSuffix()}`];
    const before = new LoginThrottle(context.database.db, options);
    await before.recordFailure(keys);
    await before.recordFailure(keys);

    // A new process: only the database is shared.
    const after = new LoginThrottle(context.database.db, options);
    expect(await after.retryAfterSeconds(keys)).toBeGreaterThan(0);

    const quiet = [`address:quiet-${randomSuffix()}`];
    await after.recordFailure(quiet);
    now += 61_000;
    await after.recordFailure(quiet);
    expect(await after.retryAfterSeconds(quiet)).toBe(0);
  });
});

function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 10);
}

describe('HTTP hardening', () => {
  it('answers a body over 1 MiB with 413 PAYLOAD_TOO_LARGE as JSON', async () => {
    const response = await context.app.inject({
      method: 'POST',
      url: '/api/notifications',
      headers: { ...admin.headers, 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) }),
    });

    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('sends the helmet security headers and no stack traces on errors', async () => {
    const response = await context.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"username":',
    });

    expect(response.statusCode).toBe(400);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.body).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it('keeps /healthz, /readyz and /api/openapi.json public, and documents the routes there', async () => {
    const health = await context.app.inject({ method: 'GET', url: '/healthz' });
    const ready = await context.app.inject({ method: 'GET', url: '/readyz' });
    const openapi = await context.app.inject({ method: 'GET', url: '/api/openapi.json' });

    expect(health.statusCode).toBe(200);
    expect([200, 503]).toContain(ready.statusCode);
    expect(openapi.statusCode).toBe(200);
    const paths = openapi.json().paths;
    expect(paths['/api/users/{id}'].patch.tags).toEqual(['users']);
    expect(
      paths['/api/auth/login'].post.requestBody.content['application/json'].schema
        .additionalProperties,
    ).toBe(false);
  });
});

describe('listening server', () => {
  it('signs in, reads /me and signs out over real HTTP', async () => {
    await context.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = context.app.server.address() as AddressInfo;
    const base = `http://127.0.0.1:${port}`;

    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    const cookie = login.headers
      .getSetCookie()
      .find((line) => line.startsWith('borgflow_session='))!;
    const session = cookie.split(';')[0];
    const me = await fetch(`${base}/api/auth/me`, { headers: { cookie: session } });
    const logout = await fetch(`${base}/api/auth/logout`, {
      method: 'POST',
      headers: { cookie: session, origin: base },
    });
    const after = await fetch(`${base}/api/auth/me`, { headers: { cookie: session } });

    expect(login.status).toBe(200);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(((await me.json()) as { user: { username: string } }).user.username).toBe('admin');
    expect(logout.status).toBe(204);
    expect(after.status).toBe(401);
  });
});
