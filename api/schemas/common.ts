/** JSON schemas shared by the route plugins; each route still lists its own fields. */

// ULIDs: 26 Crockford base32 characters. Checked here so a malformed id is a 400, not a 404.
export const ULID_PATTERN = '^[0-9A-HJKMNP-TV-Z]{26}$';

export const idSchema = { type: 'string', pattern: ULID_PATTERN } as const;

export const idParamsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: idSchema },
} as const;

export const emptyObjectSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {},
} as const;

export const timestampSchema = { type: 'string', format: 'date-time' } as const;
export const nullableTimestampSchema = { type: ['string', 'null'], format: 'date-time' } as const;

/** A display name: printable, without control characters, trimmed by the caller's eye. */
export const nameSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 100,
  pattern: '^[^\\u0000-\\u001f\\u007f]+$',
} as const;

export const errorResponseSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      additionalProperties: true,
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        field: { type: 'string' },
      },
    },
  },
} as const;

/** Adds the error body for 4xx and 5xx to a route's success responses. */
export function withErrorResponses<T extends Record<string | number, unknown>>(responses: T) {
  return { ...responses, '4xx': errorResponseSchema, '5xx': errorResponseSchema };
}

export const noContentResponse = { 204: { type: 'null', description: 'Done; no body.' } } as const;

/**
 * A response object that always carries each of its properties (null when there is nothing):
 * `required` names them all, so the OpenAPI document says so and the serializer refuses an answer
 * that lacks one. `optional` names the few a response may leave out.
 */
export function alwaysSent<const Schema extends { properties: Record<string, unknown> }>(
  schema: Schema,
  optional: readonly (keyof Schema['properties'] & string)[] = [],
) {
  const required = Object.keys(schema.properties).filter((name) => !optional.includes(name));
  return { type: 'object', ...schema, required } as const;
}

/** The response shapes the OpenAPI document names (components/schemas), shared across routes. */
export type SharedSchemaId =
  | 'ApiToken'
  | 'Archive'
  | 'ArchiveItem'
  | 'AuditEntry'
  | 'MaintenanceSchedule'
  | 'NotificationChannel'
  | 'Plan'
  | 'Repository'
  | 'Run'
  | 'SshKey'
  | 'User';

/** Points at a shared shape registered by `registerSharedSchemas`. */
export function schemaRef(id: SharedSchemaId) {
  return { $ref: `${id}#` } as const;
}
