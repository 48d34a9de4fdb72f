import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteAccess, RouteAccessEntry } from '../../api/auth/access';
import { installAccessControl } from '../../api/auth/access-control';
import { createSessionStore } from '../../api/auth/sessions';
import { SESSION_COOKIE_NAME } from '../../api/auth/sessions';
import {
  adminSession,
  bearer,
  createApiTestContext,
  createToken,
  createUserSession,
  login,
  type ApiTestContext,
  type BrowserSession,
} from '../helpers/api';

type Caller =
  'anonymous' | 'viewer' | 'operator' | 'admin' | 'adminToken' | 'viewerToken' | 'mustChange';

/** What each kind of caller may expect from a route, by the route's declared access. */
const EXPECTED: Record<RouteAccess, Record<Caller, 'allowed' | 401 | 403>> = {
  public: {
    anonymous: 'allowed',
    viewer: 'allowed',
    operator: 'allowed',
    admin: 'allowed',
    adminToken: 'allowed',
    viewerToken: 'allowed',
    mustChange: 'allowed',
  },
  authenticated: {
    anonymous: 401,
    viewer: 'allowed',
    operator: 'allowed',
    admin: 'allowed',
    adminToken: 'allowed',
    viewerToken: 'allowed',
    mustChange: 'allowed',
  },
  viewer: {
    anonymous: 401,
    viewer: 'allowed',
    operator: 'allowed',
    admin: 'allowed',
    adminToken: 'allowed',
    viewerToken: 'allowed',
    mustChange: 403,
  },
  operator: {
    anonymous: 401,
    viewer: 403,
    operator: 'allowed',
    admin: 'allowed',
    adminToken: 'allowed',
    viewerToken: 403,
    mustChange: 403,
  },
  admin: {
    anonymous: 401,
    viewer: 403,
    operator: 403,
    admin: 'allowed',
    adminToken: 'allowed',
    viewerToken: 403,
    mustChange: 403,
  },
};

/** The declared access of this module's own routes: a change here is a security decision. */
const DECLARED_ACCESS: Array<[string, string, RouteAccess]> = [
  ['GET', '/healthz', 'public'],
  ['GET', '/readyz', 'public'],
  ['GET', '/api/openapi.json', 'public'],
  ['POST', '/api/auth/login', 'public'],
  ['POST', '/api/auth/logout', 'authenticated'],
  ['GET', '/api/auth/me', 'authenticated'],
  ['POST', '/api/auth/password', 'authenticated'],
  ['GET', '/api/users', 'admin'],
  ['GET', '/api/users/:id', 'admin'],
  ['POST', '/api/users', 'admin'],
  ['PATCH', '/api/users/:id', 'admin'],
  ['DELETE', '/api/users/:id', 'admin'],
  ['GET', '/api/tokens', 'viewer'],
  ['POST', '/api/tokens', 'viewer'],
  ['DELETE', '/api/tokens/:id', 'viewer'],
  ['GET', '/api/ssh-keys', 'viewer'],
  ['GET', '/api/ssh-keys/:id', 'viewer'],
  ['POST', '/api/ssh-keys', 'admin'],
  ['DELETE', '/api/ssh-keys/:id', 'admin'],
  ['GET', '/api/notifications', 'viewer'],
  ['POST', '/api/notifications', 'admin'],
  ['PATCH', '/api/notifications/:id', 'admin'],
  ['DELETE', '/api/notifications/:id', 'admin'],
  ['POST', '/api/notifications/:id/test', 'admin'],
  ['GET', '/api/audit', 'admin'],
];

const PLACEHOLDER_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

let context: ApiTestContext;
const sessions = new Map<Caller, BrowserSession & { password: string }>();
const tokens = new Map<Caller, string>();

beforeAll(async () => {
  context = await createApiTestContext();
  const { app } = context;
  const admin = await adminSession(app);
  sessions.set('admin', { ...admin, password: 'tidal-orchid-lantern-42' });
  sessions.set('viewer', await createUserSession(app, admin, 'viewer'));
  sessions.set('operator', await createUserSession(app, admin, 'operator'));
  tokens.set('adminToken', await createToken(app, admin));
  tokens.set('viewerToken', await createToken(app, sessions.get('viewer')!));
  const fresh = await app.inject({
    method: 'POST',
    url: '/api/users',
    headers: admin.headers,
    payload: { username: 'not-changed-yet', password: 'first-password-given', role: 'admin' },
  });
  expect(fresh.statusCode).toBe(201);
  const mustChange = await login(app, 'not-changed-yet', 'first-password-given');
  sessions.set('mustChange', { ...mustChange, password: 'first-password-given' });
});

afterAll(async () => {
  await context?.close();
});

function concreteUrl(url: string): string {
  return url.replace(/:[A-Za-z]+/g, PLACEHOLDER_ID).replace(/\*/g, 'anything');
}

function headersFor(caller: Caller): Record<string, string> {
  if (caller === 'anonymous') return {};
  const token = tokens.get(caller);
  if (token) return bearer(token);

  return sessions.get(caller)!.headers;
}

// Routes like logout end the caller's session; sign in again so the next route sees a live one.
async function reviveSession(caller: Caller, setCookie: string | string[] | undefined) {
  const cleared = [setCookie ?? []]
    .flat()
    .some((line) => line.startsWith(`${SESSION_COOKIE_NAME}=;`));
  const session = sessions.get(caller);
  if (!cleared || !session) return;
  sessions.set(caller, {
    ...(await login(context.app, session.username, session.password)),
    password: session.password,
  });
}

function errorCodeOf(body: string): string {
  try {
    return (JSON.parse(body) as { error: { code: string } }).error.code;
  } catch {
    return `(not an error body: ${body.slice(0, 80)})`;
  }
}

describe('route access declarations', () => {
  it('declares the documented access on every route of the auth, user, token, key, notification and audit plugins', () => {
    const table = context.app.routeAccessTable;
    for (const [method, url, access] of DECLARED_ACCESS) {
      expect(table, `${method} ${url}`).toContainEqual({ method, url, access });
    }
    const mine = table.filter(
      (entry) =>
        entry.method !== 'HEAD' &&
        /^\/api\/(auth|users|tokens|ssh-keys|notifications|audit)(\/|$)/.test(entry.url),
    );
    expect(mine).toHaveLength(
      DECLARED_ACCESS.filter(([, url]) => url.startsWith('/api/') && url !== '/api/openapi.json')
        .length,
    );
  });

  it('refuses to register a route that declares no access', async () => {
    const database = context.database;
    const app = Fastify();
    installAccessControl(app, { db: database.db, sessions: createSessionStore(database.sql) });
    const register = () =>
      // @ts-expect-error: the type augmentation makes `access` required; omitted here on purpose.
      app.get('/forgotten', { config: {} }, async () => ({ ok: true }));

    expect(register).toThrow(/must declare config\.access/);
  });
});

describe('authorization matrix', () => {
  const callers: Caller[] = [
    'anonymous',
    'viewer',
    'operator',
    'admin',
    'adminToken',
    'viewerToken',
    'mustChange',
  ];

  it('answers every registered route according to its declared access, for every kind of caller', async () => {
    const routes: RouteAccessEntry[] = context.app.routeAccessTable;
    expect(routes.length).toBeGreaterThanOrEqual(DECLARED_ACCESS.length);
    const mismatches: string[] = [];

    for (const route of routes) {
      for (const caller of callers) {
        const expected = EXPECTED[route.access][caller];
        const hasBody = ['POST', 'PUT', 'PATCH'].includes(route.method);
        const response = await context.app.inject({
          method: route.method,
          url: concreteUrl(route.url),
          headers: headersFor(caller),
          ...(hasBody ? { payload: {} } : {}),
        });
        await reviveSession(caller, response.headers['set-cookie']);

        const status = response.statusCode;
        const code = status >= 400 ? errorCodeOf(response.body) : '';
        const isRefused = status === 401 || status === 403;
        const isMatch = expected === 'allowed' ? !isRefused : status === expected;
        // 503 is /readyz reporting that no worker polls yet: a state, not a fault.
        if (!isMatch || (status >= 500 && status !== 503)) {
          mismatches.push(
            `${route.method} ${route.url} as ${caller}: expected ${expected}, got ${status} ${code}`,
          );
        }
        if (caller === 'mustChange' && expected === 403 && route.method !== 'HEAD') {
          if (code !== 'PASSWORD_CHANGE_REQUIRED')
            mismatches.push(`${route.method} ${route.url}: ${code}`);
        }
      }
    }

    expect(mismatches).toEqual([]);
  });
});
