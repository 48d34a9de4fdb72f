import { MAINTENANCE_KINDS } from '../../core/maintenance-schedules';
import { alwaysSent, idSchema, timestampSchema, schemaRef } from './common';
import { checkBodySchema, pruneBodySchema, retentionSchema } from './repositories';

const cronSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 200,
  description: 'Five-field cron, e.g. `0 4 * * 0`, or @hourly, @daily, @weekly, @monthly.',
} as const;

const timezoneSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 64,
  description: 'An IANA zone such as Europe/Berlin; default UTC.',
} as const;

// One object for both kinds; the route refuses fields that do not belong to the schedule's kind,
// naming them, which reads better than a oneOf mismatch.
const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  description:
    'check: verifyData, repositoryOnly, archivesOnly, maxDurationSeconds. prune: retention (required), globArchives, compact.',
  properties: {
    ...checkBodySchema.properties,
    retention: retentionSchema,
    globArchives: pruneBodySchema.properties.globArchives,
    compact: { type: 'boolean', description: 'Compact after pruning; default true.' },
  },
} as const;

const scheduleFields = {
  cron: cronSchema,
  timezone: timezoneSchema,
  enabled: { type: 'boolean' },
  jitterSeconds: { type: ['integer', 'null'], minimum: 0, maximum: 6 * 3600 },
  options: optionsSchema,
} as const;

export const createMaintenanceScheduleBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'cron'],
  properties: {
    kind: { type: 'string', enum: [...MAINTENANCE_KINDS] },
    ...scheduleFields,
  },
} as const;

export const updateMaintenanceScheduleBodySchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  description: 'The kind stays; `options`, when given, replaces the options as a whole.',
  properties: scheduleFields,
} as const;

export const maintenanceScheduleSchema = alwaysSent({
  properties: {
    id: idSchema,
    repositoryId: idSchema,
    kind: { type: 'string', enum: [...MAINTENANCE_KINDS] },
    cron: { type: 'string' },
    timezone: { type: 'string' },
    enabled: { type: 'boolean' },
    options: { type: 'object', properties: optionsSchema.properties },
    jitterSeconds: { type: ['integer', 'null'] },
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
    nextRuns: { type: 'array', items: timestampSchema },
    skippedForOverlap: {
      type: 'integer',
      description: 'Scheduled starts Temporal skipped because the previous run still ran.',
    },
  },
});

export const maintenanceScheduleListSchema = {
  type: 'object',
  required: ['schedules'],
  properties: { schedules: { type: 'array', items: schemaRef('MaintenanceSchedule') } },
} as const;
