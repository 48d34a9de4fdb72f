import type { FastifyInstance } from 'fastify';
import type { RepositoryRow } from '../../core/db/schema';
import { resolveWithinRoots } from '../../core/paths';
import type { Retention } from '../../core/runs';
import { recordAudit } from '../audit';
import type { RouteDependencies } from '../auth/services';
import { ApiError } from '../errors';
import { requireRepository } from '../repositories/repository-records';
import { idempotencyKeyOf, requesterOf, triggerOf } from '../runs/requester';
import {
  createRunLauncher,
  type LaunchableInputs,
  type LaunchableKind,
} from '../runs/run-launcher';
import { toRunResponse } from '../runs/run-response';
import { idParamsSchema, withErrorResponses } from '../schemas/common';
import { checkBodySchema, pruneBodySchema, restoreBodySchema } from '../schemas/repositories';
import { runEnvelopeSchema } from '../schemas/runs';

const tags = ['repositories'];

/** Upkeep and restore runs started on one repository: check, prune, compact, restore. */
export async function repositoryRunRoutes(
  app: FastifyInstance,
  deps: RouteDependencies,
): Promise<void> {
  const { db, config } = deps;
  const launcher = createRunLauncher(deps);

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
    app.post<{ Params: { id: string }; Body: Body | undefined }>(
      `/api/repositories/:id/${kind}`,
      {
        config: { access: 'operator' },
        // A request without a body means "defaults"; the schema still demands the fields a kind
        // cannot do without (restore: archive, paths, target).
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
        const repository = await requireRepository(db, request.params.id);
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
}
