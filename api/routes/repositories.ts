import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ulid } from 'ulid';
import type { RepositoryRow } from '../../core/db/schema';
import { secretContexts } from '../../core/secrets/contexts';
import { deleteMaintenanceSchedule } from '../../core/temporal/maintenance-schedules';
import type { PreparedRepository } from '../../activities/repository-setup';
import { recordAudit } from '../audit';
import type { RouteDependencies } from '../auth/services';
import { ApiError } from '../errors';
import { checkedLocation } from '../repositories/locations';
import {
  repositoryResponse,
  requireRepository,
  toRepositoryResponses,
} from '../repositories/repository-records';
import { callWorker, toApiError } from '../runs/worker-calls';
import {
  idParamsSchema,
  noContentResponse,
  withErrorResponses,
  schemaRef,
} from '../schemas/common';
import {
  createRepositoryBodySchema,
  repositoryListSchema,
  sizeHistorySchema,
  updateRepositoryBodySchema,
} from '../schemas/repositories';
import { takeRepositorySchedules } from './maintenance-schedules';

interface CreateRepositoryBody {
  name: string;
  location: string;
  encryption: string;
  passphrase?: string;
  sshKeyId?: string;
  remotePath?: string | null;
  uploadRateLimitKbps?: number | null;
  hostKeyFingerprint?: string;
  mode: 'create' | 'import';
}

interface UpdateRepositoryBody {
  name?: string;
  remotePath?: string | null;
  uploadRateLimitKbps?: number | null;
  sshKeyId?: string | null;
  allowRelocated?: boolean;
}

type IdParams = { Params: { id: string } };

/** A person waits for `borg init` or `borg info` at the form: at most this long. */
const PREPARE_TIMEOUT_SECONDS = 60;
const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';
const SIZE_HISTORY_POINTS = 1000;
const tags = ['repositories'];

/**
 * Repositories: Borgflow's records of borg repositories. Reaching their servers, starting runs on
 * them and exporting their keys live in the `repository-*` route plugins beside this one.
 */
export async function repositoryRoutes(
  app: FastifyInstance,
  deps: RouteDependencies,
): Promise<void> {
  const { db, config, secrets, temporal } = deps;

  app.get(
    '/api/repositories',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: 'List repositories',
        response: withErrorResponses({ 200: repositoryListSchema }),
      },
    },
    async () => {
      const rows = await db.selectFrom('repositories').selectAll().orderBy('name').execute();

      return { repositories: await toRepositoryResponses(db, rows) };
    },
  );

  app.post<{ Body: CreateRepositoryBody }>(
    '/api/repositories',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Add a repository: create it with `borg init`, or import an existing one',
        description:
          'Waits up to a minute for a worker to run borg. On failure nothing is kept, and the answer names borg’s error type (`borgError`).',
        body: createRepositoryBodySchema,
        response: withErrorResponses({ 201: schemaRef('Repository') }),
      },
    },
    async (request, reply) => {
      const body = request.body;
      const location = await checkedLocation(body.location, body.sshKeyId, config.repositoryRoots);
      assertPassphraseFits(body.encryption, body.passphrase);
      if (body.sshKeyId) await requireSshKey(body.sshKeyId);
      const id = ulid();

      await db
        .insertInto('repositories')
        .values({
          id,
          name: body.name,
          location,
          encryption: body.encryption,
          passphrase_secret: body.passphrase
            ? secrets.encrypt(body.passphrase, secretContexts.repositoryPassphrase(id))
            : null,
          pending_passphrase_secret: null,
          key_escrow_secret: null,
          ssh_key_id: body.sshKeyId ?? null,
          remote_path: body.remotePath ?? null,
          upload_rate_limit_kbps: body.uploadRateLimitKbps ?? null,
          host_key_fingerprint: null,
        })
        .execute()
        .catch((error: unknown) => {
          throw asDuplicate(error, body.name, location);
        });

      const audit = { action: `repository.${body.mode}`, target: `repository:${id}` };
      try {
        await callWorker<PreparedRepository>(temporal, config, {
          workflowType: 'prepareRepository',
          workflowId: `prepare-repository-${id}-${ulid()}`,
          args: [
            { repositoryId: id, mode: body.mode, hostKeyFingerprint: body.hostKeyFingerprint },
          ],
          timeoutSeconds: PREPARE_TIMEOUT_SECONDS,
          repositoryId: id,
        });
      } catch (error) {
        // The record exists only for a repository borg accepted.
        await db.deleteFrom('repositories').where('id', '=', id).execute();
        const refused = toApiError(error, { REPOSITORY_ALREADY_EXISTS: 'CONFLICT' });
        await recordAudit(
          db,
          {
            ...audit,
            outcome: 'failure',
            details: { name: body.name, location, ...detailsOf(refused) },
          },
          request,
        );
        throw refused;
      }
      // A new repository is empty; an imported one has archives worth listing.
      if (body.mode === 'import') await startRefresh(id, request);

      await recordAudit(
        db,
        {
          ...audit,
          outcome: 'success',
          details: { name: body.name, location, encryption: body.encryption },
        },
        request,
      );
      return reply.status(201).send(await repositoryResponse(db, id));
    },
  );

  app.get<IdParams>(
    '/api/repositories/:id',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: 'One repository with its sizes and last archive and check times',
        params: idParamsSchema,
        response: withErrorResponses({ 200: schemaRef('Repository') }),
      },
    },
    (request) => repositoryResponse(db, request.params.id),
  );

  app.patch<IdParams & { Body: UpdateRepositoryBody }>(
    '/api/repositories/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Change a repository’s name or connection settings',
        params: idParamsSchema,
        body: updateRepositoryBodySchema,
        response: withErrorResponses({ 200: schemaRef('Repository') }),
      },
    },
    async (request) => {
      const { id } = request.params;
      const body = request.body;
      const current = await requireRepository(db, id);
      if (body.sshKeyId) await requireSshKey(body.sshKeyId);

      await db
        .updateTable('repositories')
        .set({
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.remotePath !== undefined ? { remote_path: body.remotePath } : {}),
          ...(body.uploadRateLimitKbps !== undefined
            ? { upload_rate_limit_kbps: body.uploadRateLimitKbps }
            : {}),
          ...(body.sshKeyId !== undefined ? { ssh_key_id: body.sshKeyId } : {}),
          ...(body.allowRelocated !== undefined ? { allow_relocated: body.allowRelocated } : {}),
          updated_at: new Date(),
        })
        .where('id', '=', id)
        .execute()
        .catch((error: unknown) => {
          throw asDuplicate(error, body.name ?? current.name, current.location);
        });

      await recordAudit(
        db,
        {
          action: 'repository.update',
          target: `repository:${id}`,
          outcome: 'success',
          details: { fields: Object.keys(body) },
        },
        request,
      );
      return await repositoryResponse(db, id);
    },
  );

  app.delete<IdParams>(
    '/api/repositories/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Forget a repository no plan uses',
        description:
          'Removes only Borgflow’s record (and its archive list and history). The borg repository and its data stay untouched where they are.',
        params: idParamsSchema,
        response: withErrorResponses(noContentResponse),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const repository = await requireRepository(db, id);
      const plans = await db
        .selectFrom('plans')
        .select('name')
        .where('repository_id', '=', id)
        .execute();
      if (plans.length > 0)
        throw inUseByPlans(
          repository,
          plans.map((plan) => plan.name),
        );

      await db
        .transaction()
        .execute(async (trx) => {
          const scheduleIds = await takeRepositorySchedules(trx, id);
          await trx.deleteFrom('repositories').where('id', '=', id).execute();

          // Last and inside the transaction: a refused delete leaves Temporal as it was, and a
          // Temporal Schedule outliving its repository would keep starting failing runs.
          for (const scheduleId of scheduleIds) {
            await deleteMaintenanceSchedule(temporal, scheduleId);
          }
        })
        .catch((error: unknown) => {
          // A plan took the repository between the check and the delete.
          if ((error as { code?: string }).code === FOREIGN_KEY_VIOLATION) {
            throw inUseByPlans(repository, []);
          }
          throw error;
        });

      await recordAudit(
        db,
        {
          action: 'repository.delete',
          target: `repository:${id}`,
          outcome: 'success',
          details: { name: repository.name, location: repository.location },
        },
        request,
      );
      return reply.status(204).send();
    },
  );

  app.get<IdParams>(
    '/api/repositories/:id/size-history',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: 'Repository size after each refresh, oldest first',
        params: idParamsSchema,
        response: withErrorResponses({ 200: sizeHistorySchema }),
      },
    },
    async (request) => {
      await requireRepository(db, request.params.id);
      const rows = await db
        .selectFrom('repository_size_history')
        .selectAll()
        .where('repository_id', '=', request.params.id)
        .orderBy('at', 'desc')
        .limit(SIZE_HISTORY_POINTS)
        .execute();

      return {
        points: rows.reverse().map((row) => ({
          at: row.at.toISOString(),
          originalSize: Number(row.original_bytes),
          deduplicatedSize: Number(row.deduplicated_bytes),
          archiveCount: row.archive_count,
        })),
      };
    },
  );

  async function requireSshKey(id: string): Promise<void> {
    const key = await db
      .selectFrom('ssh_keys')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst();

    if (!key) {
      throw new ApiError('VALIDATION_FAILED', `sshKeyId: no SSH key with id ${id}.`, {
        field: 'body.sshKeyId',
      });
    }
  }

  // Reading the archives can take longer than the person should wait; nobody awaits this one.
  async function startRefresh(repositoryId: string, request: FastifyRequest): Promise<void> {
    await temporal.workflow
      .start('refreshRepositoryArchives', {
        workflowId: `refresh-repository-${repositoryId}-${ulid()}`,
        taskQueue: config.taskQueue,
        args: [{ repositoryId }],
      })
      .catch((error: unknown) => {
        request.log.warn({ err: error, repositoryId }, 'repository refresh not started');
      });
  }
}

function assertPassphraseFits(encryption: string, passphrase: string | undefined): void {
  if (encryption === 'none' && passphrase !== undefined) {
    throw new ApiError(
      'VALIDATION_FAILED',
      'passphrase: a repository without encryption has none.',
      {
        field: 'body.passphrase',
      },
    );
  }
  if (encryption !== 'none' && passphrase === undefined) {
    throw new ApiError('VALIDATION_FAILED', `passphrase: encryption ${encryption} needs one.`, {
      field: 'body.passphrase',
    });
  }
}

function asDuplicate(error: unknown, name: string, location: string): unknown {
  const { code, constraint_name } = error as { code?: string; constraint_name?: string };
  if (code !== UNIQUE_VIOLATION) return error;
  if (constraint_name?.includes('location')) {
    return new ApiError('CONFLICT', `A repository record for ${location} exists already.`, {
      field: 'body.location',
    });
  }
  return new ApiError('CONFLICT', `A repository named ${name} exists already.`, {
    field: 'body.name',
  });
}

function inUseByPlans(repository: RepositoryRow, planNames: string[]): ApiError {
  const users = planNames.length > 0 ? `plans ${planNames.join(', ')}` : 'a plan';
  return new ApiError(
    'CONFLICT',
    `Repository ${repository.name} is used by ${users}; delete or move those plans first.`,
  );
}

function detailsOf(error: unknown): Record<string, unknown> {
  if (!(error instanceof ApiError)) return { error: 'unexpected' };
  return { code: error.code, ...(error.details ?? {}) };
}
