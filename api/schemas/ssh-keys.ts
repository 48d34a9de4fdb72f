import { idSchema, nameSchema, timestampSchema, schemaRef } from './common';

export const SSH_KEY_TYPES = ['ed25519', 'rsa'] as const;
export const PRIVATE_KEY_MAX_LENGTH = 16_384;

export const sshKeySchema = {
  type: 'object',
  required: [
    'id',
    'name',
    'type',
    'publicKey',
    'fingerprint',
    'status',
    'createdAt',
    'authorizedKeysLine',
  ],
  properties: {
    id: idSchema,
    name: { type: 'string' },
    type: { type: 'string', enum: [...SSH_KEY_TYPES] },
    publicKey: { type: 'string' },
    fingerprint: { type: 'string' },
    status: { type: 'string', enum: ['active', 'retired'] },
    createdAt: timestampSchema,
    authorizedKeysLine: {
      type: 'string',
      description: 'A line for the server’s authorized_keys that allows only `borg serve`.',
    },
  },
} as const;

export const sshKeyListSchema = {
  type: 'object',
  required: ['sshKeys'],
  properties: { sshKeys: { type: 'array', items: schemaRef('SshKey') } },
} as const;

export const createSshKeyBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  description: 'Either `type` (generate a new key pair) or `privateKey` (import one), not both.',
  properties: {
    name: nameSchema,
    type: { type: 'string', enum: [...SSH_KEY_TYPES] },
    privateKey: {
      type: 'string',
      minLength: 1,
      maxLength: PRIVATE_KEY_MAX_LENGTH,
      description: 'An OpenSSH or PEM private key without a passphrase.',
    },
  },
} as const;

// Absolute, and nothing that could end the quoted `command="…"` option or split it into words.
export const restrictToPathQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    restrictToPath: { type: 'string', minLength: 1, maxLength: 1024, pattern: '^/[^\\s"\'\\\\]*$' },
  },
} as const;
