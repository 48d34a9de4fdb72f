import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskNotificationUrl } from '../../api/routes/notifications';
import {
  adminSession,
  createApiTestContext,
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

function send(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) {
  return context.app.inject({
    method,
    url,
    headers: admin.headers,
    ...(payload ? { payload } : {}),
  });
}

describe('maskNotificationUrl', () => {
  it.each([
    ['slack://TokenA/TokenB/TokenC', 'slack://****/****/****'],
    ['slack://TokenA/TokenB/TokenC/', 'slack://****/****/****/'],
    ['json://127.0.0.1:8080/hook-secret', 'json://127.0.0.1:8080/****'],
    [
      'mailto://user:app_password@gmail.com?smtp=smtp.gmail.com&to=me',
      'mailto://****@gmail.com?smtp=****&to=****',
    ],
    ['tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/-100123', 'tgram://****/****'],
    ['ntfys://ntfy.example.org/my-topic#frag', 'ntfys://ntfy.example.org/****#****'],
    ['gotify://[::1]:8080/AbCdEf', 'gotify://[::1]:8080/****'],
    ['discord://localhost', 'discord://localhost'],
    ['not a url', '****'],
  ])('masks %s as %s', (url, masked) => {
    expect(maskNotificationUrl(url)).toBe(masked);
  });
});

describe('POST /api/notifications', () => {
  it('stores the URL encrypted, keeps a masked copy, and never returns the URL', async () => {
    const url = 'slack://T0KENA/T0KENB/T0KENC';

    const response = await send('POST', '/api/notifications', {
      name: 'team',
      url,
      events: ['run.failed', 'backup.missed'],
    });

    expect(response.statusCode).toBe(201);
    const channel = response.json();
    expect(channel).toMatchObject({
      name: 'team',
      maskedUrl: 'slack://****/****/****',
      events: ['run.failed', 'backup.missed'],
      enabled: true,
      repositoryIds: null,
      planIds: null,
    });
    expect(response.body).not.toContain('T0KEN');
    const row = await context.database.db
      .selectFrom('notification_channels')
      .selectAll()
      .where('id', '=', channel.id)
      .executeTakeFirstOrThrow();
    expect(row.url_secret).not.toContain('T0KEN');
    expect(context.secrets.decrypt(row.url_secret, `notification:${channel.id}:url`)).toBe(url);
    expect(row.events).toEqual(['run.failed', 'backup.missed']);
  });

  it.each([
    [{ name: 'x', url: 'no-scheme-here', events: ['run.failed'] }, 'body.url'],
    [{ name: 'x', url: 'HTTP://upper.example', events: ['run.failed'] }, 'body.url'],
    [{ name: 'x', url: 'json://h', events: ['run.exploded'] }, 'body.events.0'],
    [{ name: 'x', url: 'json://h', events: [] }, 'body.events'],
    [{ name: 'x', url: 'json://h', events: ['run.failed'], secret: true }, 'body.secret'],
    [
      {
        name: 'x',
        url: 'json://h',
        events: ['run.failed'],
        repositoryIds: ['01ARZ3NDEKTSV4RRFFQ69G5FAV'],
      },
      'body.repositoryIds',
    ],
  ])('refuses %j with 400 naming %s', async (payload, field) => {
    const response = await send('POST', '/api/notifications', payload);

    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field });
    expect(response.body).not.toContain('no-scheme-here');
  });
});

describe('PATCH /api/notifications/:id', () => {
  it('changes only the given fields and re-encrypts a new URL', async () => {
    const created = (
      await send('POST', '/api/notifications', {
        name: 'ops',
        url: 'json://hooks.example.com/abc',
        events: ['run.failed'],
      })
    ).json();

    const response = await send('PATCH', `/api/notifications/${created.id}`, {
      enabled: false,
      url: 'json://hooks.example.com/xyz?key=SECRETVALUE',
    });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      name: 'ops',
      enabled: false,
      maskedUrl: 'json://hooks.example.com/****?key=****',
      events: ['run.failed'],
    });
    const row = await context.database.db
      .selectFrom('notification_channels')
      .select('url_secret')
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(context.secrets.decrypt(row.url_secret, `notification:${created.id}:url`)).toContain(
      'SECRETVALUE',
    );
  });

  it('answers 404 for an unknown channel and 400 for an empty change', async () => {
    const missing = await send('PATCH', '/api/notifications/01ARZ3NDEKTSV4RRFFQ69G5FAV', {
      enabled: true,
    });
    const empty = await send('PATCH', '/api/notifications/01ARZ3NDEKTSV4RRFFQ69G5FAV', {});

    expect(missing.statusCode).toBe(404);
    expect(empty.statusCode).toBe(400);
  });
});

describe('DELETE /api/notifications/:id', () => {
  it('deletes a channel and answers 404 the second time', async () => {
    const created = (
      await send('POST', '/api/notifications', {
        name: 'gone',
        url: 'json://h.example.com',
        events: ['key.rotated'],
      })
    ).json();

    const first = await send('DELETE', `/api/notifications/${created.id}`);
    const second = await send('DELETE', `/api/notifications/${created.id}`);
    const list = await send('GET', '/api/notifications');

    expect(first.statusCode).toBe(204);
    expect(second.statusCode).toBe(404);
    expect(
      list.json<{ channels: Array<{ id: string }> }>().channels.map((channel) => channel.id),
    ).not.toContain(created.id);
  });
});
