import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit } from '../../api/audit';
import {
  adminSession,
  createApiTestContext,
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

interface Entry {
  id: string;
  action: string;
  outcome: string;
  username: string | null;
  target: string | null;
  address: string | null;
  details: Record<string, unknown> | null;
}

describe('GET /api/audit', () => {
  it('records who did what to which target, from where', async () => {
    const viewer = await createUserSession(context.app, admin, 'viewer');
    await context.app.inject({ method: 'GET', url: '/api/users', headers: viewer.headers });

    const response = await context.app.inject({
      method: 'GET',
      url: '/api/audit?limit=50',
      headers: admin.headers,
    });

    const entries: Entry[] = response.json().entries;
    const created = entries.find((entry) => entry.action === 'user.create');
    expect(created).toMatchObject({
      username: 'admin',
      target: `user:${viewer.userId}`,
      outcome: 'success',
    });
    expect(created?.details).toMatchObject({ username: viewer.username, role: 'viewer' });
    const denied = entries.find((entry) => entry.action === 'access.denied');
    expect(denied).toMatchObject({
      username: viewer.username,
      outcome: 'denied',
      target: 'GET /api/users',
    });
    expect(denied?.address).toBe('127.0.0.1');
    expect(response.body).not.toContain(viewer.password);
  });

  it('pages newest first with a cursor, without gaps or repeats', async () => {
    for (let index = 0; index < 7; index += 1) {
      await recordAudit(context.database.db, { action: `test.page${index}`, outcome: 'success' });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=3&cursor=${cursor}` : '?limit=3';
      const response = await context.app.inject({
        method: 'GET',
        url: `/api/audit${query}`,
        headers: admin.headers,
      });
      expect(response.statusCode).toBe(200);
      const page = response.json<{ entries: Entry[]; nextCursor: string | null }>();
      seen.push(...page.entries.map((entry) => entry.id));
      cursor = page.nextCursor;
    } while (cursor);

    const total = await context.database.db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .executeTakeFirstOrThrow();
    expect(seen).toHaveLength(Number(total.count));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.map(Number)).toEqual([...seen.map(Number)].sort((a, b) => b - a));
  });

  it('drops fields named like secrets from details', async () => {
    await recordAudit(context.database.db, {
      action: 'test.secret',
      outcome: 'success',
      details: {
        name: 'kept',
        password: 'hunter2-hunter2',
        nested: { passphrase: 'pp', url: 'slack://a/b/c' },
      },
    });

    const response = await context.app.inject({
      method: 'GET',
      url: '/api/audit?limit=1',
      headers: admin.headers,
    });

    expect(response.json().entries[0].details).toEqual({ name: 'kept', nested: {} });
  });

  it('refuses a malformed cursor, a limit out of range and unknown parameters', async () => {
    for (const query of ['cursor=abc', 'limit=0', 'limit=100000', 'after=1']) {
      const response = await context.app.inject({
        method: 'GET',
        url: `/api/audit?${query}`,
        headers: admin.headers,
      });

      expect(response.statusCode, query).toBe(400);
      expect(response.json().error.field).toMatch(/^querystring/);
    }
  });
});
