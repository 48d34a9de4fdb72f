import type { FastifyInstance } from 'fastify';
import { ulid } from 'ulid';
import { recordAudit } from '../audit';
import type { RouteDependencies } from '../auth/services';
import { ApiError } from '../errors';
import { callWorker, WorkerCallError } from '../runs/worker-calls';
import { idParamsSchema, withErrorResponses } from '../schemas/common';

const testResultSchema = {
  type: 'object',
  required: ['sent'],
  properties: {
    sent: { type: 'boolean' },
    error: { type: 'string', description: "Apprise's answer, with the URL's secrets masked." },
  },
} as const;

/** Apprise gives up after 30 s; the worker's answer comes a little later. */
const TEST_TIMEOUT_SECONDS = 60;

/**
 * Sends a channel's test message through a worker: only workers decrypt channel URLs and run
 * Apprise. A channel that cannot be reached is a result (`sent: false`), not an API error.
 */
export async function notificationTestRoutes(
  app: FastifyInstance,
  { db, config, temporal }: RouteDependencies,
): Promise<void> {
  app.post<{ Params: { id: string } }>(
    '/api/notifications/:id/test',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['notifications'],
        summary: 'Send a test message to a notification channel and report whether it went out',
        params: idParamsSchema,
        response: withErrorResponses({ 200: testResultSchema }),
      },
    },
    async (request) => {
      const { id } = request.params;
      const channel = await db
        .selectFrom('notification_channels')
        .select(['id', 'name', 'url_masked'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!channel) throw new ApiError('NOT_FOUND', `No notification channel with id ${id}.`);

      const result = await sendTest(id);
      await recordAudit(
        db,
        {
          action: 'notification.test',
          target: `notification:${id}`,
          outcome: result.sent ? 'success' : 'failure',
          details: { name: channel.name, maskedUrl: channel.url_masked },
        },
        request,
      );
      return result;
    },
  );

  async function sendTest(channelId: string): Promise<{ sent: boolean; error?: string }> {
    try {
      return await callWorker<{ sent: boolean }>(temporal, config, {
        workflowType: 'testNotificationChannel',
        workflowId: `notify-test-${channelId}-${ulid()}`,
        args: [{ channelId }],
        timeoutSeconds: TEST_TIMEOUT_SECONDS,
      });
    } catch (error) {
      if (error instanceof WorkerCallError) return { sent: false, error: error.message };
      throw error;
    }
  }
}
