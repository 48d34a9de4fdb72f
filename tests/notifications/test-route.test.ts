import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminSession,
  createApiTestContext,
  type ApiTestContext,
  type BrowserSession,
} from '../helpers/api';
import { freePorts } from '../helpers/ports';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { startApiWorker } from '../helpers/temporal-worker';

describe('POST /api/notifications/:id/test', () => {
  let context: ApiTestContext;
  let worker: Awaited<ReturnType<typeof startApiWorker>>;
  let receiver: Receiver;
  let admin: BrowserSession;

  beforeAll(async () => {
    context = await createApiTestContext({
      TASK_QUEUE: `api-notify-test-${randomBytes(4).toString('hex')}`,
    });
    worker = await startApiWorker(context);
    receiver = await startReceiver();
    admin = await adminSession(context.app);
  });

  afterAll(async () => {
    await worker?.close();
    await receiver?.close();
    await context?.close();
  });

  async function createChannel(url: string): Promise<string> {
    const response = await context.app.inject({
      method: 'POST',
      url: '/api/notifications',
      headers: admin.headers,
      payload: { name: `test-${randomBytes(3).toString('hex')}`, url, events: ['run.failed'] },
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<{ id: string }>().id;
  }

  function sendTest(id: string) {
    return context.app.inject({
      method: 'POST',
      url: `/api/notifications/${id}/test`,
      headers: admin.headers,
    });
  }

  it('sends the test message through a worker and records the send', async () => {
    const id = await createChannel(receiver.appriseUrl('/test-route/ok'));

    const response = await sendTest(id);

    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ sent: true });
    expect(receiver.messages('/test-route/ok')).toMatchObject([
      { title: 'Borgflow test notification', type: 'info' },
    ]);
    const channel = await context.database.db
      .selectFrom('notification_channels')
      .select(['last_sent_at', 'last_error'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(channel.last_sent_at).not.toBeNull();
    expect(channel.last_error).toBeNull();
  });

  it('answers sent: false with the reason, without the secret part of the URL', async () => {
    const [closedPort] = await freePorts(1);
    const token = `tok-${randomBytes(6).toString('hex')}`;
    const id = await createChannel(`json://127.0.0.1:${closedPort}/${token}`);

    const response = await sendTest(id);

    expect(response.statusCode, response.body).toBe(200);
    const body = response.json<{ sent: boolean; error: string }>();
    expect(body.sent).toBe(false);
    expect(body.error).toMatch(/apprise could not deliver/);
    expect(response.body).not.toContain(token);
  });

  it('answers 404 for a channel that does not exist', async () => {
    const response = await sendTest('01ARZ3NDEKTSV4RRFFQ69G5FAV');

    expect(response.statusCode).toBe(404);
  });
});
