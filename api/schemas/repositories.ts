import { healthProperties } from '../runs/health';
import {
  alwaysSent,
  idSchema,
  nameSchema,
  nullableTimestampSchema,
  timestampSchema,
  ULID_PATTERN,
  schemaRef,
} from './common';

export const ENCRYPTION_MODES = [
  'repokey-blake2',
  'repokey',
  'keyfile-blake2',
  'keyfile',
  'authenticated-blake2',
  'authenticated',
  'none',
] as const;

export const MIN_PASSPHRASE_LENGTH = 12;

// Patterns avoid lookaheads (the fuzz tests generate strings from them) and nested ambiguous
// repetition (no catastrophic backtracking): every alternative starts differently.
const NAME_CHAR = '[^/:\\u0000-\\u001f\\u007f]';
const PATH_CHAR = '[^/\\u0000-\\u001f\\u007f]';
// One path segment that is neither `.` nor `..`.
const SEGMENT = `([^/.\\u0000-\\u001f\\u007f]${PATH_CHAR}*|\\.[^/.\\u0000-\\u001f\\u007f]${PATH_CHAR}*|\\.\\.${PATH_CHAR}+)`;

// Data, not syntax: no slash (borg refuses it), no control characters, no `::` (borg's separator).
export const archiveNameSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 200,
  pattern: `^:?${NAME_CHAR}+(:${NAME_CHAR}+)*:?$`,
} as const;

/** A path inside an archive as borg stores it: relative, no `.`/`..` parts, no control characters. */
export const archivePathSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 4096,
  pattern: `^${SEGMENT}(/${SEGMENT})*$`,
} as const;

const absolutePathSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 4096,
  pattern: '^/[^\\u0000-\\u001f\\u007f]*$',
} as const;

const sizeSchema = { type: ['number', 'null'] } as const;

export const repositoryStatsSchema = {
  type: ['object', 'null'],
  required: ['originalSize', 'compressedSize', 'deduplicatedSize', 'archiveCount'],
  properties: {
    originalSize: { type: 'number' },
    compressedSize: { type: 'number' },
    deduplicatedSize: { type: 'number' },
    archiveCount: { type: 'number' },
  },
} as const;

export const repositorySchema = alwaysSent({
  properties: {
    id: idSchema,
    name: { type: 'string' },
    location: { type: 'string' },
    encryption: { type: 'string', enum: [...ENCRYPTION_MODES] },
    sshKeyId: { type: ['string', 'null'] },
    remotePath: { type: ['string', 'null'] },
    uploadRateLimitKbps: { type: ['integer', 'null'] },
    allowRelocated: { type: 'boolean' },
    hostKeyFingerprint: { type: ['string', 'null'] },
    hasKeyEscrow: {
      type: 'boolean',
      description: 'Whether Borgflow holds an encrypted copy of the repository key.',
    },
    stats: repositoryStatsSchema,
    lastArchiveAt: nullableTimestampSchema,
    lastCheckAt: nullableTimestampSchema,
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
    ...healthProperties,
  },
});

export const repositoryListSchema = {
  type: 'object',
  required: ['repositories'],
  properties: { repositories: { type: 'array', items: schemaRef('Repository') } },
} as const;

const locationSchema = {
  type: 'string',
  minLength: 2,
  maxLength: 1024,
  description: 'An absolute path under REPOSITORY_ROOTS, or `ssh://user@host:port/path`.',
  pattern: '^[^\\u0000-\\u001f\\u007f]+$',
} as const;

const fingerprintSchema = {
  type: 'string',
  pattern: '^SHA256:[A-Za-z0-9+/]{43}$',
  description: 'As `ssh-keygen -l` prints it.',
} as const;

const remotePathSchema = {
  type: ['string', 'null'],
  minLength: 1,
  maxLength: 512,
  pattern: '^[A-Za-z0-9_./+-]+$',
  description: 'Path of borg on the remote host (`--remote-path`).',
} as const;

const rateLimitSchema = { type: ['integer', 'null'], minimum: 1, maximum: 100_000_000 } as const;

export const createRepositoryBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'location', 'mode'],
  properties: {
    name: nameSchema,
    location: locationSchema,
    encryption: { type: 'string', enum: [...ENCRYPTION_MODES], default: 'repokey-blake2' },
    passphrase: {
      type: 'string',
      minLength: MIN_PASSPHRASE_LENGTH,
      maxLength: 1024,
      description: 'Required unless encryption is `none`; stored encrypted, never returned.',
    },
    sshKeyId: idSchema,
    remotePath: remotePathSchema,
    uploadRateLimitKbps: rateLimitSchema,
    hostKeyFingerprint: {
      ...fingerprintSchema,
      description: 'For ssh locations: the approved host key, pinned before the first connection.',
    },
    mode: {
      type: 'string',
      enum: ['create', 'import'],
      description: '`create` runs `borg init`; `import` opens an existing repository.',
    },
  },
} as const;

export const updateRepositoryBodySchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    name: nameSchema,
    remotePath: remotePathSchema,
    uploadRateLimitKbps: rateLimitSchema,
    sshKeyId: { type: ['string', 'null'], pattern: ULID_PATTERN },
    allowRelocated: { type: 'boolean' },
  },
} as const;

export const testConnectionBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['location'],
  properties: { location: locationSchema, sshKeyId: idSchema },
} as const;

export const connectionResultSchema = {
  type: 'object',
  required: ['reachable', 'hostKeyStatus', 'hostKeyFingerprints', 'message'],
  properties: {
    reachable: { type: 'boolean' },
    hostKeyStatus: { type: 'string', enum: ['trusted', 'unknown', 'changed', 'local'] },
    hostKeyFingerprints: {
      type: 'array',
      items: {
        type: 'object',
        required: ['keyType', 'fingerprint'],
        properties: { keyType: { type: 'string' }, fingerprint: { type: 'string' } },
      },
    },
    hostKeyFingerprint: {
      type: 'string',
      description: 'The preferred key’s fingerprint (ed25519 when offered), for a quick compare.',
    },
    message: { type: 'string' },
  },
} as const;

export const trustHostKeyBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['fingerprint'],
  properties: { fingerprint: fingerprintSchema },
} as const;

export const retentionSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    keepWithin: { type: 'string', pattern: '^[1-9][0-9]{0,5}[HdwmMy]$' },
    keepLast: { type: 'integer', minimum: 1, maximum: 100_000 },
    keepMinutely: { type: 'integer', minimum: 1, maximum: 100_000 },
    keepHourly: { type: 'integer', minimum: 1, maximum: 100_000 },
    keepDaily: { type: 'integer', minimum: 1, maximum: 100_000 },
    keepWeekly: { type: 'integer', minimum: 1, maximum: 100_000 },
    keepMonthly: { type: 'integer', minimum: 1, maximum: 100_000 },
    keepYearly: { type: 'integer', minimum: 1, maximum: 100_000 },
  },
} as const;

export const checkBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    verifyData: { type: 'boolean' },
    repositoryOnly: { type: 'boolean' },
    archivesOnly: { type: 'boolean' },
    maxDurationSeconds: { type: 'integer', minimum: 1, maximum: 7 * 24 * 3600 },
  },
} as const;

export const pruneBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    retention: retentionSchema,
    dryRun: { type: 'boolean' },
    globArchives: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      pattern: '^[^\\u0000-\\u001f]+$',
    },
  },
} as const;

export const restoreBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['archive', 'paths', 'target'],
  properties: {
    archive: archiveNameSchema,
    paths: { type: 'array', minItems: 1, maxItems: 1000, items: archivePathSchema },
    target: { ...absolutePathSchema, description: 'A directory under RESTORE_ROOTS.' },
    stripComponents: { type: 'integer', minimum: 0, maximum: 100 },
  },
} as const;

export const sizeHistorySchema = {
  type: 'object',
  required: ['points'],
  properties: {
    points: {
      type: 'array',
      items: alwaysSent({
        properties: {
          at: timestampSchema,
          originalSize: { type: 'number' },
          deduplicatedSize: { type: 'number' },
          archiveCount: { type: 'integer' },
        },
      }),
    },
  },
} as const;

export const keyExportSchema = {
  type: 'object',
  required: ['key'],
  properties: {
    key: {
      type: 'string',
      description: 'The key as `borg key export` writes it; still protected by the passphrase.',
    },
  },
} as const;

export const archiveSchema = alwaysSent({
  properties: {
    name: { type: 'string' },
    id: { type: 'string' },
    start: timestampSchema,
    end: nullableTimestampSchema,
    originalSize: sizeSchema,
    compressedSize: sizeSchema,
    deduplicatedSize: sizeSchema,
    files: sizeSchema,
  },
});

export const archiveListSchema = {
  type: 'object',
  required: ['archives'],
  properties: { archives: { type: 'array', items: schemaRef('Archive') } },
} as const;

export const archiveParamsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'archive'],
  properties: { id: idSchema, archive: archiveNameSchema },
} as const;

export const archiveItemsQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    path: {
      type: 'string',
      maxLength: 4096,
      default: '',
      description: 'The directory to list, relative to the archive root; empty for the top.',
      pattern: `^/?(${SEGMENT}(/${SEGMENT})*/?)?$`,
    },
    cursor: { type: 'string', minLength: 1, maxLength: 6000, pattern: '^[A-Za-z0-9_-]+$' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 },
  },
} as const;

export const archiveItemSchema = alwaysSent({
  properties: {
    path: { type: 'string' },
    name: { type: 'string' },
    type: { type: 'string', description: 'Borg’s item type: `d`, `-`, `l`, …' },
    size: { type: 'number' },
    mtime: nullableTimestampSchema,
  },
});

export const archiveItemsSchema = {
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: {
    items: { type: 'array', items: schemaRef('ArchiveItem') },
    nextCursor: { type: ['string', 'null'] },
  },
} as const;

export const archiveSearchQuerySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: {
      type: 'string',
      minLength: 1,
      maxLength: 255,
      pattern: '^[^\\u0000-\\u001f\\u007f/]+$',
      description: 'Part of an item’s name, matched without regard to case.',
    },
    cursor: { type: 'string', minLength: 1, maxLength: 12000, pattern: '^[A-Za-z0-9_-]+$' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
  },
} as const;

export const archiveFileQuerySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['path'],
  properties: { path: archivePathSchema },
} as const;

export const archiveDiffQuerySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to'],
  properties: { from: archiveNameSchema, to: archiveNameSchema },
} as const;

export const archiveDiffSchema = {
  type: 'object',
  required: ['from', 'to', 'changes', 'truncated'],
  properties: {
    from: { type: 'string' },
    to: { type: 'string' },
    changes: {
      type: 'array',
      items: alwaysSent(
        {
          properties: {
            path: { type: 'string' },
            change: { type: 'string' },
            sizeDelta: { type: 'number', description: 'Bytes added (or removed) by the change.' },
          },
        },
        ['sizeDelta'],
      ),
    },
    truncated: { type: 'boolean', description: 'True when more paths changed than are listed.' },
  },
} as const;
