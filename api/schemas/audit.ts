import { timestampSchema, schemaRef } from './common';

export const AUDIT_PAGE_DEFAULT = 50;
export const AUDIT_PAGE_MAX = 500;

export const auditQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    cursor: {
      type: 'string',
      pattern: '^[1-9][0-9]{0,17}$',
      description: 'The `nextCursor` of the previous page; omit for the newest entries.',
    },
    limit: { type: 'integer', minimum: 1, maximum: AUDIT_PAGE_MAX, default: AUDIT_PAGE_DEFAULT },
  },
} as const;

export const auditEntrySchema = {
  type: 'object',
  required: ['id', 'at', 'userId', 'username', 'action', 'target', 'address', 'outcome', 'details'],
  properties: {
    id: { type: 'string' },
    at: timestampSchema,
    userId: { type: ['string', 'null'] },
    username: { type: ['string', 'null'] },
    action: { type: 'string' },
    target: { type: ['string', 'null'] },
    address: { type: ['string', 'null'] },
    outcome: { type: 'string', enum: ['success', 'failure', 'denied'] },
    details: { type: ['object', 'null'], additionalProperties: true },
  },
} as const;

export const auditPageSchema = {
  type: 'object',
  required: ['entries', 'nextCursor'],
  properties: {
    entries: { type: 'array', items: schemaRef('AuditEntry') },
    nextCursor: { type: ['string', 'null'], description: 'null on the last page.' },
  },
} as const;
