import { alwaysSent, idSchema, nameSchema, timestampSchema, schemaRef } from './common';
import { retentionSchema } from './repositories';

const patternListItem = {
  type: 'string',
  minLength: 1,
  maxLength: 4096,
  pattern: '^[^\\u0000-\\u001f\\u007f]+$',
} as const;

export const hookSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'when', 'command'],
  properties: {
    name: nameSchema,
    when: { type: 'string', enum: ['before', 'after'] },
    command: {
      type: 'string',
      minLength: 1,
      maxLength: 4096,
      description: 'Run with /bin/sh -c on the worker, in a clean environment.',
    },
    timeoutSeconds: { type: 'integer', minimum: 1, maximum: 24 * 3600 },
    onFailure: { type: 'string', enum: ['fail', 'skip'] },
    runOn: { type: 'string', enum: ['success', 'failure', 'always'] },
  },
} as const;

export const scheduleSchema = {
  type: ['object', 'null'],
  additionalProperties: false,
  required: ['cron', 'timezone'],
  properties: {
    cron: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: 'Five-field cron, e.g. `0 3 * * *`, or @hourly, @daily, @weekly, @monthly.',
    },
    timezone: { type: 'string', minLength: 1, maxLength: 64, description: 'An IANA zone.' },
  },
} as const;

const planFields = {
  name: nameSchema,
  repositoryId: idSchema,
  sources: {
    type: 'array',
    minItems: 1,
    maxItems: 100,
    items: { ...patternListItem, description: 'An absolute path under SOURCE_ROOTS.' },
  },
  excludes: { type: 'array', maxItems: 1000, items: patternListItem },
  compression: { type: 'string', minLength: 1, maxLength: 40 },
  archiveName: {
    type: 'string',
    minLength: 1,
    maxLength: 200,
    description: 'Template with {plan}, {now}, {date}, {hostname}; must contain {now}.',
  },
  schedule: scheduleSchema,
  retention: { ...retentionSchema, type: ['object', 'null'] },
  pruneAfterBackup: { type: 'boolean' },
  compactAfterPrune: { type: 'boolean' },
  checkAfterBackup: { type: 'boolean' },
  hooks: { type: 'array', maxItems: 20, items: hookSchema },
  enabled: { type: 'boolean' },
  oneFileSystem: { type: 'boolean' },
  checkpointIntervalSeconds: { type: 'integer', minimum: 60, maximum: 24 * 3600 },
  jitterSeconds: { type: 'integer', minimum: 0, maximum: 6 * 3600 },
  missedBackupHours: {
    type: 'integer',
    minimum: 1,
    maximum: 24 * 366,
    description: 'Alert when no backup of this plan succeeded for this many hours.',
  },
  pingUrl: {
    type: ['string', 'null'],
    maxLength: 2000,
    pattern: '^https?://[^\\s]+$',
    description: 'healthchecks-style base URL: /start, then the URL itself or /<exit status>.',
  },
} as const;

export const createPlanBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'repositoryId', 'sources'],
  properties: planFields,
} as const;

export const updatePlanBodySchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: planFields,
} as const;

export const planSchema = alwaysSent({
  properties: {
    id: idSchema,
    name: { type: 'string' },
    repositoryId: idSchema,
    sources: { type: 'array', items: { type: 'string' } },
    excludes: { type: 'array', items: { type: 'string' } },
    compression: { type: 'string' },
    archiveName: { type: 'string' },
    schedule: {
      type: ['object', 'null'],
      required: ['cron', 'timezone'],
      properties: { cron: { type: 'string' }, timezone: { type: 'string' } },
    },
    retention: { type: ['object', 'null'], properties: retentionSchema.properties },
    pruneAfterBackup: { type: 'boolean' },
    compactAfterPrune: { type: 'boolean' },
    checkAfterBackup: { type: 'boolean' },
    hooks: { type: 'array', items: hookSchema },
    enabled: { type: 'boolean' },
    oneFileSystem: { type: 'boolean' },
    checkpointIntervalSeconds: { type: ['integer', 'null'] },
    jitterSeconds: { type: ['integer', 'null'] },
    missedBackupHours: { type: ['integer', 'null'] },
    hasPingUrl: { type: 'boolean' },
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
    nextRuns: { type: 'array', items: timestampSchema },
    skippedForOverlap: {
      type: 'integer',
      description: 'Scheduled starts Temporal skipped because the previous backup still ran.',
    },
  },
});

export const planListSchema = {
  type: 'object',
  required: ['plans'],
  properties: { plans: { type: 'array', items: schemaRef('Plan') } },
} as const;

export const archiveNamePreviewBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['template', 'planName'],
  properties: {
    template: { type: 'string', minLength: 1, maxLength: 200 },
    planName: nameSchema,
  },
} as const;

export const archiveNamePreviewSchema = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string' } },
} as const;
