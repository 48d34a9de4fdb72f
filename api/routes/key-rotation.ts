import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { ulid } from 'ulid';
import { parseSshLocation } from '../../activities/borg/ssh';
import type { Database } from '../../core/db/schema';
import { DEFAULT_AUTHORIZED_KEYS_FILE, type RunKind } from '../../core/runs';
import { STORAGE_QUOTA } from '../../core/ssh/key-pairs';
import { secretContexts } from '../../core/secrets/contexts';
import { recordAudit } from '../audit';
import type { RouteDependencies } from '../auth/services';
import { ApiError } from '../errors';
import { requesterOf, triggerOf } from '../runs/requester';
import { createRunLauncher } from '../runs/run-launcher';
import { toRunResponse } from '../runs/run-response';
import { idParamsSchema, withErrorResponses } from '../schemas/common';
import { runEnvelopeSchema } from '../schemas/runs';

const MIN_PASSPHRASE_LENGTH = 12;
const GENERATED_PASSPHRASE_BYTES = 32;
const NOT_REENCRYPTED_NOTICE =
  'Borg re-wraps the repository key with the new passphrase; archived data is not re-encrypted.';

const rotateKeyBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    newPassphrase: {
      type: 'string',
      minLength: MIN_PASSPHRASE_LENGTH,
      maxLength: 1024,
      description: 'Omit to let Borgflow generate one (43 random characters).',
    },
  },
} as const;

const rotateSshKeyBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    authorizedKeysFile: {
      type: 'string',
      minLength: 1,
      maxLength: 1024,
      // Handed to a shell on the server through stdin; quotes and blanks are refused outright.
      pattern: '^[^\\s"\'\\\\]+$',
      description: `authorized_keys on the server, relative to the login's home directory unless absolute (default ${DEFAULT_AUTHORIZED_KEYS_FILE}).`,
    },
    appendOnly: {
      type: 'boolean',
      description: 'Let the new key only add archives (`borg serve --append-only`).',
    },
    storageQuota: {
      type: 'string',
      pattern: STORAGE_QUOTA.source,
      description: 'Limit the repository size through the new key (`--storage-quota`, e.g. 500G).',
    },
  },
} as const;

interface RotateSshKeyBody {
  authorizedKeysFile?: string;
  appendOnly?: boolean;
  storageQuota?: string;
}

/**
 * Key rotation. Passphrase rotation: The new passphrase is sealed as *pending* before the run starts, so the
 * workflow input holds only the repository id and a crash never leaves Borgflow without a
 * passphrase that opens the repository.
 */
export async function keyRotationRoutes(app: FastifyInstance, deps: RouteDependencies) {
  const { db, secrets } = deps;
  const launcher = createRunLauncher(deps);

  app.post<{ Params: { id: string }; Body: { newPassphrase?: string } | undefined }>(
    '/api/repositories/:id/rotate-key',
    {
      // Choosing a repository secret is an administrator's task.
      config: { access: 'admin' },
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        tags: ['repositories'],
        summary: 'Change the repository passphrase (the key is re-wrapped, data is not)',
        description: NOT_REENCRYPTED_NOTICE,
        params: idParamsSchema,
        body: rotateKeyBodySchema,
        response: withErrorResponses({ 202: runEnvelopeSchema }),
      },
    },
    async (request, reply) => {
      const repository = await db
        .selectFrom('repositories')
        .selectAll()
        .where('id', '=', request.params.id)
        .executeTakeFirst();
      if (!repository)
        throw new ApiError('NOT_FOUND', `No repository with id ${request.params.id}.`);
      if (!repository.passphrase_secret) {
        throw new ApiError(
          'VALIDATION_FAILED',
          'This repository is not encrypted with a passphrase.',
        );
      }
      await refuseSecondRotation(db, repository.id, 'rotate-key');
      const requested = request.body?.newPassphrase;
      if (repository.pending_passphrase_secret && requested) {
        // The unfinished rotation may already have changed borg's key to the pending passphrase.
        throw new ApiError(
          'CONFLICT',
          'An earlier rotation did not finish: start the rotation again without a passphrase to complete it.',
        );
      }
      if (!repository.pending_passphrase_secret) {
        const passphrase =
          requested ?? randomBytes(GENERATED_PASSPHRASE_BYTES).toString('base64url');
        await db
          .updateTable('repositories')
          .set({
            pending_passphrase_secret: secrets.encrypt(
              passphrase,
              secretContexts.repositoryPendingPassphrase(repository.id),
            ),
          })
          .where('id', '=', repository.id)
          .execute();
      }

      const { run } = await launcher.startRun({
        kind: 'rotate-key',
        input: { repositoryId: repository.id, trigger: triggerOf(request) },
        requestedBy: requesterOf(request),
      });
      await recordAudit(
        db,
        {
          action: 'repository.rotate-key',
          target: `repository:${repository.id}`,
          outcome: 'success',
          details: { runId: run.id, generated: !requested },
        },
        request,
      );

      return reply.status(202).send({ run: toRunResponse(run, deps.config) });
    },
  );

  app.post<{ Params: { id: string }; Body: RotateSshKeyBody | undefined }>(
    '/api/repositories/:id/rotate-ssh-key',
    {
      // Changes who may log in to the backup server: an administrator's task.
      config: { access: 'admin' },
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        tags: ['repositories'],
        summary: 'Replace the SSH key of an ssh:// repository',
        description:
          'Generates a new key, authorises it on the server with the current key (or waits for ' +
          'an operator when the current key may only run borg), verifies it, switches the ' +
          'repository to it and removes the old key from the server.',
        params: idParamsSchema,
        body: rotateSshKeyBodySchema,
        response: withErrorResponses({ 202: runEnvelopeSchema }),
      },
    },
    async (request, reply) => {
      const repository = await db
        .selectFrom('repositories')
        .select(['id', 'location', 'ssh_key_id'])
        .where('id', '=', request.params.id)
        .executeTakeFirst();
      if (!repository)
        throw new ApiError('NOT_FOUND', `No repository with id ${request.params.id}.`);
      if (!parseSshLocation(repository.location) || !repository.ssh_key_id) {
        throw new ApiError(
          'VALIDATION_FAILED',
          "Only ssh:// repositories that use one of Borgflow's SSH keys can rotate their key.",
        );
      }
      await refuseSecondRotation(db, repository.id, 'rotate-ssh-key');

      const { run } = await launcher.startRun({
        kind: 'rotate-ssh-key',
        input: {
          repositoryId: repository.id,
          fromKeyId: repository.ssh_key_id,
          newKeyId: ulid(),
          authorizedKeysFile: request.body?.authorizedKeysFile,
          appendOnly: request.body?.appendOnly,
          storageQuota: request.body?.storageQuota,
          trigger: triggerOf(request),
        },
        requestedBy: requesterOf(request),
      });
      await recordAudit(
        db,
        {
          action: 'repository.rotate-ssh-key',
          target: `repository:${repository.id}`,
          outcome: 'success',
          details: { runId: run.id, fromKeyId: repository.ssh_key_id },
        },
        request,
      );

      return reply.status(202).send({ run: toRunResponse(run, deps.config) });
    },
  );
}

async function refuseSecondRotation(db: Kysely<Database>, repositoryId: string, kind: RunKind) {
  const active = await db
    .selectFrom('runs')
    .select('id')
    .where('repository_id', '=', repositoryId)
    .where('kind', '=', kind)
    .where('status', 'in', ['queued', 'running', 'waiting'])
    .executeTakeFirst();
  if (active) throw new ApiError('CONFLICT', `A rotation is already running as ${active.id}.`);
}
