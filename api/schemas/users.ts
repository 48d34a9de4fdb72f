import { ROLES } from '../auth/access';
import { MAX_PASSWORD_LENGTH } from '../auth/passwords';
import { idSchema, timestampSchema, schemaRef } from './common';

// Lower case only: usernames are compared case-insensitively by storing them folded.
export const usernameSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 64,
  pattern: '^[a-z0-9][a-z0-9._-]*$',
} as const;

/** Length and strength rules are checked in code, so each gets its own plain message. */
export const passwordSchema = {
  type: 'string',
  minLength: 1,
  maxLength: MAX_PASSWORD_LENGTH,
} as const;

export const roleSchema = { type: 'string', enum: [...ROLES] } as const;

export const userSchema = {
  type: 'object',
  required: ['id', 'username', 'role', 'mustChangePassword', 'createdAt', 'updatedAt'],
  properties: {
    id: idSchema,
    username: { type: 'string' },
    role: roleSchema,
    mustChangePassword: { type: 'boolean' },
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
  },
} as const;

export const userEnvelopeSchema = {
  type: 'object',
  required: ['user'],
  properties: { user: schemaRef('User') },
} as const;

export const userListSchema = {
  type: 'object',
  required: ['users'],
  properties: { users: { type: 'array', items: schemaRef('User') } },
} as const;

export const createUserBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['username', 'password', 'role'],
  properties: { username: usernameSchema, password: passwordSchema, role: roleSchema },
} as const;

export const updateUserBodySchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { role: roleSchema, password: passwordSchema },
} as const;

export const loginBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['username', 'password'],
  // No pattern on sign-in: a malformed name simply does not match any user.
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 128 },
    password: passwordSchema,
  },
} as const;

export const changePasswordBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['currentPassword', 'newPassword'],
  properties: { currentPassword: passwordSchema, newPassword: passwordSchema },
} as const;
