import {
  idSchema,
  nameSchema,
  nullableTimestampSchema,
  timestampSchema,
  schemaRef,
} from './common';

const tokenProperties = {
  id: idSchema,
  name: { type: 'string' },
  userId: idSchema,
  username: { type: 'string' },
  createdAt: timestampSchema,
  expiresAt: nullableTimestampSchema,
  lastUsedAt: nullableTimestampSchema,
} as const;

export const tokenSchema = {
  type: 'object',
  required: ['id', 'name', 'userId', 'username', 'createdAt', 'expiresAt', 'lastUsedAt'],
  properties: tokenProperties,
} as const;

export const createdTokenSchema = {
  type: 'object',
  required: [...tokenSchema.required, 'token'],
  properties: {
    ...tokenProperties,
    token: { type: 'string', description: 'Shown once; only its SHA-256 digest is stored.' },
  },
} as const;

export const tokenListSchema = {
  type: 'object',
  required: ['tokens'],
  properties: { tokens: { type: 'array', items: schemaRef('ApiToken') } },
} as const;

export const createTokenBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: nameSchema,
    expiresInDays: { type: 'integer', minimum: 1, maximum: 3650 },
  },
} as const;
