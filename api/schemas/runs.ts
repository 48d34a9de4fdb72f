import { RUN_KINDS, RUN_STATUSES } from '../../core/runs';
import {
  alwaysSent,
  idSchema,
  nullableTimestampSchema,
  timestampSchema,
  schemaRef,
} from './common';

// Run ids are workflow ids: `<kind>-<subject id>-<ulid>`, `…-k<hash>` for keyed starts, and
// `backup-<plan id>-<scheduled time>` for scheduled ones.
export const RUN_ID_PATTERN = '^[a-z][a-z-]{1,30}-[0-9A-Za-z][0-9A-Za-z:._-]{0,160}$';

export const runIdParamsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', pattern: RUN_ID_PATTERN } },
} as const;

const nullableObject = { type: ['object', 'null'], additionalProperties: true } as const;

export const runProgressSchema = {
  type: ['object', 'null'],
  properties: {
    step: { type: 'string' },
    originalBytes: { type: 'number' },
    compressedBytes: { type: 'number' },
    deduplicatedBytes: { type: 'number' },
    files: { type: 'number' },
    currentPath: { type: 'string' },
    bytesPerSecond: { type: 'number' },
    percent: { type: 'number' },
    etaSeconds: { type: 'number', description: 'Estimated from the pace of `percent` so far.' },
    isPercentEstimated: {
      type: 'boolean',
      description: 'A backup’s percent, measured against the size its plan’s last backup read.',
    },
    message: { type: 'string' },
  },
} as const;

export const runSchema = alwaysSent({
  properties: {
    id: { type: 'string' },
    kind: { type: 'string', enum: [...RUN_KINDS] },
    status: { type: 'string', enum: [...RUN_STATUSES] },
    trigger: { type: 'string' },
    repositoryId: { type: ['string', 'null'] },
    planId: { type: ['string', 'null'] },
    createdBy: { type: ['string', 'null'] },
    createdAt: timestampSchema,
    startedAt: nullableTimestampSchema,
    finishedAt: nullableTimestampSchema,
    progress: runProgressSchema,
    stats: nullableObject,
    error: {
      type: ['object', 'null'],
      required: ['type', 'message'],
      properties: {
        type: { type: 'string' },
        message: { type: 'string' },
        step: { type: 'string' },
        tail: { type: 'string' },
      },
    },
    waitingReason: { type: ['string', 'null'] },
    steps: {
      type: 'array',
      items: alwaysSent({
        properties: {
          name: { type: 'string' },
          status: { type: 'string', enum: [...RUN_STATUSES] },
          startedAt: { type: 'string' },
          finishedAt: { type: ['string', 'null'] },
        },
      }),
    },
    retryOf: { type: ['string', 'null'] },
    retriedBy: { type: ['string', 'null'] },
    temporal: {
      type: 'object',
      required: ['workflowId', 'runId', 'url'],
      properties: {
        workflowId: { type: 'string' },
        runId: { type: ['string', 'null'] },
        url: { type: 'string', description: 'The run’s history in the Temporal UI.' },
      },
    },
  },
});

/** `{ run }`: what every route that starts a run answers with. */
export const runEnvelopeSchema = {
  type: 'object',
  required: ['run'],
  properties: { run: schemaRef('Run') },
} as const;

export const runListQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    repositoryId: idSchema,
    planId: idSchema,
    kind: { type: 'string', enum: [...RUN_KINDS] },
    status: { type: 'string', enum: [...RUN_STATUSES] },
    limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
    cursor: { type: 'string', minLength: 1, maxLength: 400, pattern: '^[A-Za-z0-9_-]+$' },
  },
} as const;

export const runListSchema = {
  type: 'object',
  required: ['runs', 'nextCursor'],
  properties: {
    runs: { type: 'array', items: schemaRef('Run') },
    nextCursor: { type: ['string', 'null'] },
  },
} as const;

export const decisionResponseSchema = {
  type: 'object',
  required: ['run', 'decision'],
  properties: {
    run: schemaRef('Run'),
    decision: { type: 'string', enum: ['resume', 'skip', 'abort'] },
  },
} as const;
