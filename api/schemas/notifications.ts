import { NOTIFICATION_EVENTS } from '../../core/notification-events';
import {
  alwaysSent,
  idSchema,
  nameSchema,
  nullableTimestampSchema,
  timestampSchema,
  schemaRef,
} from './common';

// Apprise URLs: any scheme (`slack://`, `mailto://`, `json://`…); Apprise itself knows the rest.
const urlSchema = {
  type: 'string',
  minLength: 4,
  maxLength: 2048,
  pattern: '^[a-z][a-z0-9+.-]*://\\S+$',
  description: 'An Apprise URL; stored encrypted and only ever shown masked.',
} as const;

const eventsSchema = {
  type: 'array',
  minItems: 1,
  maxItems: NOTIFICATION_EVENTS.length,
  uniqueItems: true,
  items: { type: 'string', enum: [...NOTIFICATION_EVENTS] },
} as const;

/** null: every repository (or plan). */
const scopeSchema = {
  type: ['array', 'null'],
  maxItems: 500,
  uniqueItems: true,
  items: idSchema,
} as const;

export const notificationChannelSchema = alwaysSent({
  properties: {
    id: idSchema,
    name: { type: 'string' },
    maskedUrl: {
      type: 'string',
      description: 'Scheme and host kept, credentials and tokens masked.',
    },
    events: { type: 'array', items: eventsSchema.items },
    enabled: { type: 'boolean' },
    repositoryIds: { type: ['array', 'null'], items: idSchema },
    planIds: { type: ['array', 'null'], items: idSchema },
    lastSentAt: nullableTimestampSchema,
    lastError: { type: ['string', 'null'] },
    lastErrorAt: nullableTimestampSchema,
    createdAt: timestampSchema,
  },
});

export const notificationChannelListSchema = {
  type: 'object',
  required: ['channels'],
  properties: { channels: { type: 'array', items: schemaRef('NotificationChannel') } },
} as const;

const channelFields = {
  name: nameSchema,
  url: urlSchema,
  events: eventsSchema,
  enabled: { type: 'boolean' },
  repositoryIds: scopeSchema,
  planIds: scopeSchema,
} as const;

export const createNotificationChannelBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'url', 'events'],
  properties: channelFields,
} as const;

export const updateNotificationChannelBodySchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: channelFields,
} as const;
