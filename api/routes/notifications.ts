import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { ulid } from 'ulid';
import type { Database, NotificationChannelRow } from '../../core/db/schema';
import { secretContexts } from '../../core/secrets/contexts';
import { recordAudit } from '../audit';
import type { RouteDependencies } from '../auth/services';
import { ApiError } from '../errors';
import {
  idParamsSchema,
  noContentResponse,
  withErrorResponses,
  schemaRef,
} from '../schemas/common';
import type { NotificationEvent } from '../../core/notification-events';
import {
  createNotificationChannelBodySchema,
  notificationChannelListSchema,
  updateNotificationChannelBodySchema,
} from '../schemas/notifications';

interface ChannelBody {
  name: string;
  url: string;
  events: NotificationEvent[];
  enabled?: boolean;
  repositoryIds?: string[] | null;
  planIds?: string[] | null;
}

const MASK = '****';
const tags = ['notifications'];

/** Notification channels (Apprise URLs). Sending happens in the worker, not here. */
export async function notificationRoutes(
  app: FastifyInstance,
  { db, secrets }: RouteDependencies,
): Promise<void> {
  const sealUrl = (id: string, url: string) => ({
    url_secret: secrets.encrypt(url, secretContexts.notificationUrl(id)),
    url_masked: maskNotificationUrl(url),
  });

  app.get(
    '/api/notifications',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: 'List notification channels (URLs masked)',
        response: withErrorResponses({ 200: notificationChannelListSchema }),
      },
    },
    async () => {
      const rows = await db
        .selectFrom('notification_channels')
        .selectAll()
        .orderBy('name')
        .execute();

      return { channels: rows.map(toNotificationChannelResponse) };
    },
  );

  app.post<{ Body: ChannelBody }>(
    '/api/notifications',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Create a notification channel',
        body: createNotificationChannelBodySchema,
        response: withErrorResponses({ 201: schemaRef('NotificationChannel') }),
      },
    },
    async (request, reply) => {
      const { name, url, events, enabled, repositoryIds, planIds } = request.body;
      await assertScopeExists(db, repositoryIds, planIds);
      const id = ulid();

      const row = await db
        .insertInto('notification_channels')
        .values({
          id,
          name,
          ...sealUrl(id, url),
          events,
          enabled: enabled ?? true,
          repository_ids: repositoryIds ?? null,
          plan_ids: planIds ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();

      await recordAudit(db, channelAudit('notification.create', row), request);
      return reply.status(201).send(toNotificationChannelResponse(row));
    },
  );

  app.patch<{ Params: { id: string }; Body: Partial<ChannelBody> }>(
    '/api/notifications/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Change a notification channel; omitted fields stay as they are',
        params: idParamsSchema,
        body: updateNotificationChannelBodySchema,
        response: withErrorResponses({ 200: schemaRef('NotificationChannel') }),
      },
    },
    async (request) => {
      const { id } = request.params;
      const { name, url, events, enabled, repositoryIds, planIds } = request.body;
      await assertScopeExists(db, repositoryIds, planIds);

      const row = await db
        .updateTable('notification_channels')
        .set({
          ...(name !== undefined && { name }),
          ...(url !== undefined && sealUrl(id, url)),
          ...(events !== undefined && { events }),
          ...(enabled !== undefined && { enabled }),
          ...(repositoryIds !== undefined && { repository_ids: repositoryIds }),
          ...(planIds !== undefined && { plan_ids: planIds }),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();

      if (!row) throw notFound(id);
      const changed = Object.keys(request.body);
      await recordAudit(
        db,
        { ...channelAudit('notification.update', row), details: { changed } },
        request,
      );
      return toNotificationChannelResponse(row);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/notifications/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Delete a notification channel',
        params: idParamsSchema,
        response: withErrorResponses(noContentResponse),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const row = await db
        .deleteFrom('notification_channels')
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();

      if (!row) throw notFound(id);
      await recordAudit(db, channelAudit('notification.delete', row), request);
      return reply.status(204).send();
    },
  );
}

export function toNotificationChannelResponse(row: NotificationChannelRow) {
  return {
    id: row.id,
    name: row.name,
    maskedUrl: row.url_masked,
    events: row.events,
    enabled: row.enabled,
    repositoryIds: row.repository_ids,
    planIds: row.plan_ids,
    lastSentAt: row.last_sent_at,
    lastError: row.last_error,
    lastErrorAt: row.last_error_at,
    createdAt: row.created_at,
  };
}

/**
 * Shows where a notification goes without what unlocks it: scheme, a recognisable host and the
 * port stay; user info, path segments, query values and fragments become `****`. Apprise puts
 * tokens in the host position for many services (`slack://TokenA/TokenB/TokenC`), so a host is
 * kept only when it looks like a network name or address.
 */
export function maskNotificationUrl(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/s.exec(url);
  if (!match) return MASK;
  const [, scheme, authority, pathPart, query, fragment] = match;
  const at = authority.lastIndexOf('@');
  const userInfo = at === -1 ? '' : `${MASK}@`;
  const hostPort = authority.slice(at + 1);
  const maskedPath = pathPart.replace(/[^/]+/g, MASK);
  const maskedQuery = query
    ? '?' +
      query
        .slice(1)
        .split('&')
        .map((pair) => maskQueryPair(pair))
        .join('&')
    : '';

  return `${scheme}://${userInfo}${maskHostPort(hostPort)}${maskedPath}${maskedQuery}${fragment ? `#${MASK}` : ''}`;
}

function maskHostPort(hostPort: string): string {
  if (hostPort === '') return '';
  const match = /^(\[[0-9a-f:.]+\]|[^:]+)(:\d{1,5})?$/i.exec(hostPort);
  if (!match || !looksLikeHost(match[1])) return MASK;

  return match[1] + (match[2] ?? '');
}

function looksLikeHost(host: string): boolean {
  return (
    host.toLowerCase() === 'localhost' ||
    /^\[[0-9a-f:.]+\]$/i.test(host) ||
    /^(\d{1,3}\.){3}\d{1,3}$/.test(host) ||
    /^([a-z0-9-]+\.)+[a-z]{2,63}$/i.test(host)
  );
}

function maskQueryPair(pair: string): string {
  const equals = pair.indexOf('=');
  if (pair === '') return '';

  return equals === -1 ? MASK : `${pair.slice(0, equals)}=${MASK}`;
}

function channelAudit(action: string, row: NotificationChannelRow) {
  return {
    action,
    target: `notification:${row.id}`,
    outcome: 'success' as const,
    details: { name: row.name, maskedUrl: row.url_masked },
  };
}

function notFound(id: string): ApiError {
  return new ApiError('NOT_FOUND', `No notification channel with id ${id}.`);
}

async function assertScopeExists(
  db: Kysely<Database>,
  repositoryIds: string[] | null | undefined,
  planIds: string[] | null | undefined,
): Promise<void> {
  const checks = [
    { table: 'repositories', ids: repositoryIds, field: 'body.repositoryIds' },
    { table: 'plans', ids: planIds, field: 'body.planIds' },
  ] as const;
  for (const { table, ids, field } of checks) {
    if (!ids || ids.length === 0) continue;
    const found = await db.selectFrom(table).select('id').where('id', 'in', ids).execute();

    const known = new Set(found.map((row) => row.id));
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new ApiError('VALIDATION_FAILED', `${field}: unknown id ${unknown[0]}.`, { field });
    }
  }
}
