import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ulid } from 'ulid';
import type { RepositoryRow } from '../../core/db/schema';
import { resolveWithinRoots } from '../../core/paths';
import type { Retention } from '../../core/runs';
import { secretContexts } from '../../core/secrets/contexts';
import { deleteMaintenanceSchedule } from '../../core/temporal/maintenance-schedules';
import type { ConnectionProbe, PreparedRepository } from '../../activities/repository-setup';
import { recordAudit } from '../audit';
import type { RouteDependencies } from '../auth/services';
import { ApiError } from '../errors';
import { healthOf } from '../runs/health';
import { idempotencyKeyOf, requesterOf, triggerOf } from '../runs/requester';
import {
  createRunLauncher,
  type LaunchableInputs,
  type LaunchableKind,
} from '../runs/run-launcher';
import { toRunResponse } from '../runs/run-response';
import { callWorker, toApiError } from '../runs/worker-calls';
import { idParamsSchema, noContentResponse, withErrorResponses } from '../schemas/common';
import {
  checkBodySchema,
  connectionResultSchema,
  createRepositoryBodySchema,
  keyExportSchema,
  pruneBodySchema,
  repositoryListSchema,
  repositorySchema,
  restoreBodySchema,
  sizeHistorySchema,
  testConnectionBodySchema,
  trustHostKeyBodySchema,
  updateRepositoryBodySchema,
} from '../schemas/repositories';
import { runEnvelopeSchema } from '../schemas/runs';
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
const PROBE_TIMEOUT_SECONDS = 45;
const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';
const SIZE_HISTORY_POINTS = 1000;
const tags = ['repositories'];

/** Repositories: records of borg repositories, their first contact, upkeep runs and restores. */
export async function repositoryRoutes(
  app: FastifyInstance,
  deps: RouteDependencies,
): Promise<void> {
  const { db, config, secrets, temporal } = deps;
  const launcher = createRunLauncher(deps);

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

      return { repositories: rows.map(toRepositoryResponse) };
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
        response: withErrorResponses({ 201: repositorySchema }),
      },
    },
    async (request, reply) => {
      const body = request.body;
      const location = await checkedLocation(body.location, body.sshKeyId);
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
      return reply.status(201).send(toRepositoryResponse(await requireRepository(id)));
    },
  );

  app.post<{ Body: { location: string; sshKeyId?: string } }>(
    '/api/repositories/test-connection',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Check from a worker that a location is reachable, and show ssh host keys',
        body: testConnectionBodySchema,
        response: withErrorResponses({ 200: connectionResultSchema }),
      },
    },
    async (request) => {
      const location = await checkedLocation(request.body.location, request.body.sshKeyId);

      const probe = await callWorker<ConnectionProbe>(temporal, config, {
        workflowType: 'testRepositoryConnection',
        workflowId: `test-connection-${ulid()}`,
        args: [{ location }],
        timeoutSeconds: PROBE_TIMEOUT_SECONDS,
      }).catch((error: unknown) => {
        throw toApiError(error);
      });
      const preferred =
        probe.hostKeys.find((key) => key.keyType === 'ssh-ed25519') ?? probe.hostKeys[0];
      return {
        reachable: probe.reachable,
        hostKeyStatus: probe.hostKeyStatus,
        hostKeyFingerprints: probe.hostKeys,
        ...(preferred ? { hostKeyFingerprint: preferred.fingerprint } : {}),
        message: probe.message,
      };
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
        response: withErrorResponses({ 200: repositorySchema }),
      },
    },
    async (request) => toRepositoryResponse(await requireRepository(request.params.id)),
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
        response: withErrorResponses({ 200: repositorySchema }),
      },
    },
    async (request) => {
      const { id } = request.params;
      const body = request.body;
      const current = await requireRepository(id);
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
      return toRepositoryResponse(await requireRepository(id));
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
      const repository = await requireRepository(id);
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

  app.post<IdParams & { Body: { fingerprint: string } }>(
    '/api/repositories/:id/trust-host-key',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Pin an approved ssh host key of the repository’s server',
        params: idParamsSchema,
        body: trustHostKeyBodySchema,
        response: withErrorResponses({ 200: repositorySchema }),
      },
    },
    async (request) => {
      const repository = await requireRepository(request.params.id);
      if (!repository.location.startsWith('ssh://')) {
        throw new ApiError('VALIDATION_FAILED', 'Only ssh:// repositories have host keys.');
      }

      await callWorker(temporal, config, {
        workflowType: 'pinRepositoryHostKey',
        workflowId: `trust-host-key-${repository.id}-${ulid()}`,
        args: [{ repositoryId: repository.id, fingerprint: request.body.fingerprint }],
        timeoutSeconds: PROBE_TIMEOUT_SECONDS,
        repositoryId: repository.id,
      }).catch((error: unknown) => {
        throw toApiError(error);
      });

      await recordAudit(
        db,
        {
          action: 'repository.trust-host-key',
          target: `repository:${repository.id}`,
          outcome: 'success',
          details: { fingerprint: request.body.fingerprint },
        },
        request,
      );
      return toRepositoryResponse(await requireRepository(repository.id));
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
      await requireRepository(request.params.id);
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

  app.get<IdParams>(
    '/api/repositories/:id/key',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Export the escrowed repository key (still protected by the passphrase)',
        params: idParamsSchema,
        response: withErrorResponses({ 200: keyExportSchema }),
      },
    },
    async (request) => {
      const repository = await requireRepository(request.params.id);
      if (!repository.key_escrow_secret) {
        throw new ApiError('NOT_FOUND', `Borgflow holds no key of repository ${repository.name}.`);
      }
      const key = secrets.decrypt(
        repository.key_escrow_secret,
        secretContexts.repositoryKeyEscrow(repository.id),
      );

      await recordAudit(
        db,
        {
          action: 'repository.key-export',
          target: `repository:${repository.id}`,
          outcome: 'success',
        },
        request,
      );
      return { key };
    },
  );

  registerRunRoute<{
    verifyData?: boolean;
    repositoryOnly?: boolean;
    archivesOnly?: boolean;
    maxDurationSeconds?: number;
  }>(
    'check',
    'Check the repository (and optionally verify all data)',
    checkBodySchema,
    async (repository, body) => ({ repositoryId: repository.id, ...body }),
  );

  registerRunRoute<{ retention?: Retention; dryRun?: boolean; globArchives?: string }>(
    'prune',
    'Prune archives by a retention policy, then compact',
    pruneBodySchema,
    async (repository, body) => {
      if (!body.retention) {
        throw new ApiError('VALIDATION_FAILED', 'retention: prune needs at least one keep rule.', {
          field: 'body.retention',
        });
      }
      return {
        repositoryId: repository.id,
        retention: body.retention,
        dryRun: body.dryRun,
        globArchives: body.globArchives,
      };
    },
  );

  registerRunRoute<Record<string, never>>(
    'compact',
    'Free the space deleted and pruned archives left behind',
    undefined,
    async (repository) => ({ repositoryId: repository.id }),
  );

  registerRunRoute<{ archive: string; paths: string[]; target: string; stripComponents?: number }>(
    'restore',
    'Restore paths of an archive into a directory under RESTORE_ROOTS',
    restoreBodySchema,
    async (repository, body) => ({
      repositoryId: repository.id,
      archive: body.archive,
      paths: body.paths,
      target: await resolveWithinRoots(body.target, config.restoreRoots, 'restore target'),
      stripComponents: body.stripComponents,
    }),
  );

  /** `POST /api/repositories/:id/<kind>`: starts a run of that kind; answers 202 `{ run }`. */
  function registerRunRoute<Body>(
    kind: Exclude<LaunchableKind, 'backup' | 'delete-archive'>,
    summary: string,
    bodySchema: object | undefined,
    inputOf: (
      repository: RepositoryRow,
      body: Body,
    ) => Promise<Omit<LaunchableInputs[typeof kind], 'trigger'>>,
  ): void {
    app.post<IdParams & { Body: Body | undefined }>(
      `/api/repositories/:id/${kind}`,
      {
        config: { access: 'operator' },
        // Every field of these bodies is optional: a request without a body means "defaults".
        preValidation: async (request) => {
          request.body ??= {} as Body;
        },
        schema: {
          tags,
          summary,
          description:
            'Honours an `Idempotency-Key` header: a repeated request answers with the same run.',
          params: idParamsSchema,
          ...(bodySchema ? { body: bodySchema } : {}),
          response: withErrorResponses({ 202: runEnvelopeSchema }),
        },
      },
      async (request, reply) => {
        const repository = await requireRepository(request.params.id);
        const input = await inputOf(repository, (request.body ?? {}) as Body);

        const { run, isExisting } = await launcher.startRun({
          kind,
          input: { ...input, trigger: triggerOf(request) },
          requestedBy: requesterOf(request),
          idempotencyKey: idempotencyKeyOf(request),
        });

        if (!isExisting) {
          await recordAudit(
            db,
            {
              action: 'run.start',
              target: `repository:${repository.id}`,
              outcome: 'success',
              details: { runId: run.id, kind },
            },
            request,
          );
        }
        return reply.status(202).send({ run: toRunResponse(run, config) });
      },
    );
  }

  async function requireRepository(id: string): Promise<RepositoryRow> {
    const row = await db
      .selectFrom('repositories')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();

    if (!row) throw new ApiError('NOT_FOUND', `No repository with id ${id}.`);
    return row;
  }

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

  /** Local paths must resolve under REPOSITORY_ROOTS; remote ones must be well-formed ssh URLs. */
  async function checkedLocation(location: string, sshKeyId?: string): Promise<string> {
    if (location.startsWith('ssh://')) {
      const problem = sshLocationProblem(location);
      if (problem) {
        throw new ApiError('VALIDATION_FAILED', `location: ${problem}.`, {
          field: 'body.location',
        });
      }
      return location;
    }
    if (!location.startsWith('/')) {
      throw new ApiError(
        'VALIDATION_FAILED',
        'location: give an absolute path or an ssh://user@host:port/path URL.',
        { field: 'body.location' },
      );
    }
    if (sshKeyId) {
      throw new ApiError('VALIDATION_FAILED', 'sshKeyId: a local repository uses no SSH key.', {
        field: 'body.sshKeyId',
      });
    }
    return resolveWithinRoots(location, config.repositoryRoots, 'repository location');
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

/** A `repositories` row as the API shows it; never a secret. */
export function toRepositoryResponse(row: RepositoryRow) {
  return {
    id: row.id,
    name: row.name,
    location: row.location,
    encryption: row.encryption,
    sshKeyId: row.ssh_key_id,
    remotePath: row.remote_path,
    uploadRateLimitKbps: row.upload_rate_limit_kbps,
    allowRelocated: row.allow_relocated,
    hostKeyFingerprint: row.host_key_fingerprint,
    hasKeyEscrow: row.key_escrow_secret !== null,
    stats: row.stats,
    lastArchiveAt: row.last_archive_at?.toISOString() ?? null,
    lastCheckAt: row.last_check_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    health: healthOf(row.last_archive_at),
  };
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

/** Why an `ssh://` location is unusable, or undefined when it is fine. */
export function sshLocationProblem(location: string): string | undefined {
  if (!URL.canParse(location)) return 'not a valid ssh://user@host:port/path URL';
  const url = new URL(location);
  if (url.password) return 'put no password in the URL; use an SSH key';
  if (url.search || url.hash) return 'the URL may not contain "?" or "#"';
  if (!/^[A-Za-z0-9._-]*$/.test(decodeURIComponent(url.username)))
    return 'the user name is invalid';
  if (!/^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])$/.test(url.hostname))
    return 'the host name is invalid';
  const repositoryPath = decodeURIComponent(url.pathname);
  if (repositoryPath.length < 2) return 'the URL needs the repository path after the host';
  if (/[\s\p{Cc}]/u.test(repositoryPath) || repositoryPath.includes('::')) {
    return 'the repository path may not contain spaces, control characters or "::"';
  }
  return undefined;
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
