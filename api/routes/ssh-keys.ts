import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { FastifyInstance } from 'fastify';
import { ulid } from 'ulid';
import type { SshKeyRow } from '../../core/db/schema';
import { secretContexts } from '../../core/secrets/contexts';
import {
  describePublicKey,
  generateSshKeyPair,
  restrictedAuthorizedKeysLine,
  withPrivateDirectory,
  type SshKeyPair,
  type SshKeyType,
} from '../../core/ssh/key-pairs';
import { recordAudit } from '../audit';
import type { RouteDependencies } from '../auth/services';
import { ApiError } from '../errors';
import {
  idParamsSchema,
  noContentResponse,
  withErrorResponses,
  schemaRef,
} from '../schemas/common';
import {
  createSshKeyBodySchema,
  restrictToPathQuerySchema,
  sshKeyListSchema,
} from '../schemas/ssh-keys';

interface CreateSshKeyBody {
  name: string;
  type?: SshKeyType;
  privateKey?: string;
}

interface RestrictQuery {
  restrictToPath?: string;
}

const PLACEHOLDER_REPOSITORY_PATH = '/path/to/repositories';
const KEYGEN_TIMEOUT_MS = 60_000;
const MIN_IMPORTED_RSA_BITS = 2048;
const PUBLIC_KEY_TYPES: Record<string, SshKeyType> = { 'ssh-ed25519': 'ed25519', 'ssh-rsa': 'rsa' };
const FOREIGN_KEY_VIOLATION = '23503';
const tags = ['ssh-keys'];

/** SSH key pairs for remote repositories; private halves are stored encrypted and never returned. */
export async function sshKeyRoutes(app: FastifyInstance, deps: RouteDependencies): Promise<void> {
  const { db, secrets } = deps;

  app.get<{ Querystring: RestrictQuery }>(
    '/api/ssh-keys',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: 'List SSH keys (public halves only)',
        querystring: restrictToPathQuerySchema,
        response: withErrorResponses({ 200: sshKeyListSchema }),
      },
    },
    async (request) => {
      const rows = await db
        .selectFrom('ssh_keys')
        .selectAll()
        .orderBy('created_at', 'desc')
        .execute();

      return { sshKeys: rows.map((row) => toSshKeyResponse(row, request.query.restrictToPath)) };
    },
  );

  app.get<{ Params: { id: string }; Querystring: RestrictQuery }>(
    '/api/ssh-keys/:id',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: 'One SSH key, with an authorized_keys line restricted to `restrictToPath`',
        params: idParamsSchema,
        querystring: restrictToPathQuerySchema,
        response: withErrorResponses({ 200: schemaRef('SshKey') }),
      },
    },
    async (request) => {
      const row = await db
        .selectFrom('ssh_keys')
        .selectAll()
        .where('id', '=', request.params.id)
        .executeTakeFirst();

      if (!row) throw new ApiError('NOT_FOUND', `No SSH key with id ${request.params.id}.`);
      return toSshKeyResponse(row, request.query.restrictToPath);
    },
  );

  app.post<{ Body: CreateSshKeyBody; Querystring: RestrictQuery }>(
    '/api/ssh-keys',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Generate (`type`) or import (`privateKey`) an SSH key',
        querystring: restrictToPathQuerySchema,
        body: createSshKeyBodySchema,
        response: withErrorResponses({ 201: schemaRef('SshKey') }),
      },
    },
    async (request, reply) => {
      const { name, type, privateKey } = request.body;
      if ((type === undefined) === (privateKey === undefined)) {
        throw new ApiError(
          'VALIDATION_FAILED',
          'Give either type (to generate) or privateKey (to import).',
          {
            field: type === undefined ? 'body.type' : 'body.privateKey',
          },
        );
      }
      const id = ulid();
      const pair = type ? await generateSshKeyPair(type, id) : await importKeyPair(privateKey!, id);

      const row = await db
        .insertInto('ssh_keys')
        .values({
          id,
          name,
          type: pair.type,
          public_key: pair.publicKey,
          fingerprint: pair.fingerprint,
          private_key_secret: secrets.encrypt(pair.privateKey, secretContexts.sshPrivateKey(id)),
        })
        .returningAll()
        .executeTakeFirstOrThrow();

      const action = type ? 'ssh-key.generate' : 'ssh-key.import';
      await recordAudit(
        db,
        {
          action,
          target: `ssh-key:${id}`,
          outcome: 'success',
          details: { name, type: pair.type, fingerprint: pair.fingerprint },
        },
        request,
      );
      return reply.status(201).send(toSshKeyResponse(row, request.query.restrictToPath));
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/ssh-keys/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Delete an SSH key no repository uses',
        params: idParamsSchema,
        response: withErrorResponses(noContentResponse),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const user = await db
        .selectFrom('repositories')
        .select('name')
        .where('ssh_key_id', '=', id)
        .executeTakeFirst();
      if (user) throw inUse(id, user.name);

      const result = await db
        .deleteFrom('ssh_keys')
        .where('id', '=', id)
        .executeTakeFirst()
        .catch((error: unknown) => {
          // A repository took the key between the check and the delete.
          if ((error as { code?: string }).code === FOREIGN_KEY_VIOLATION) throw inUse(id);
          throw error;
        });

      if (Number(result.numDeletedRows) === 0)
        throw new ApiError('NOT_FOUND', `No SSH key with id ${id}.`);
      await recordAudit(
        db,
        { action: 'ssh-key.delete', target: `ssh-key:${id}`, outcome: 'success' },
        request,
      );
      return reply.status(204).send();
    },
  );
}

function toSshKeyResponse(row: SshKeyRow, restrictToPath = PLACEHOLDER_REPOSITORY_PATH) {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    publicKey: row.public_key,
    fingerprint: row.fingerprint,
    status: row.status,
    createdAt: row.created_at,
    authorizedKeysLine: restrictedAuthorizedKeysLine({ publicKey: row.public_key, restrictToPath }),
  };
}

function inUse(id: string, repositoryName?: string): ApiError {
  const user = repositoryName ? `repository ${repositoryName}` : 'a repository';
  return new ApiError('CONFLICT', `SSH key ${id} is used by ${user}; change the repository first.`);
}

/** Derives the public half with `ssh-keygen -y`; an empty passphrase makes protected keys fail. */
async function importKeyPair(text: string, id: string): Promise<SshKeyPair> {
  const privateKey = `${text.replace(/\r\n/g, '\n').trim()}\n`;
  return withPrivateDirectory(async (dir) => {
    const file = path.join(dir, 'id');
    await writeFile(file, privateKey, { mode: 0o600 });
    const derived = await execa('ssh-keygen', ['-y', '-P', '', '-f', file], {
      timeout: KEYGEN_TIMEOUT_MS,
      stdin: 'ignore',
      reject: false,
    });
    // ssh-keygen's message names the temporary file only; it is not worth showing.
    if (derived.exitCode !== 0) {
      throw invalidPrivateKey('It is not a valid private key, or it is protected by a passphrase.');
    }
    const [algorithm, blob] = derived.stdout.trim().split(/\s+/);
    const type = PUBLIC_KEY_TYPES[algorithm];
    if (!type || !blob) throw invalidPrivateKey('Only ed25519 and RSA keys are supported.');
    const publicKey = `${algorithm} ${blob} borgflow-${id}`;
    const description = await describePublicKey(dir, publicKey);
    if (type === 'rsa' && description.bits < MIN_IMPORTED_RSA_BITS) {
      throw invalidPrivateKey(`RSA keys need at least ${MIN_IMPORTED_RSA_BITS} bits.`);
    }

    return { type, privateKey, publicKey, fingerprint: description.fingerprint };
  });
}

function invalidPrivateKey(reason: string): ApiError {
  return new ApiError('VALIDATION_FAILED', `privateKey: ${reason}`, { field: 'body.privateKey' });
}
