import os from 'node:os';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { ulid } from 'ulid';
import {
  DEFAULT_ARCHIVE_TEMPLATE,
  renderArchiveName,
  templateProblem,
} from '../../core/archive-names';
import type { Database, PlanRow } from '../../core/db/schema';
import { resolveWithinRoots } from '../../core/paths';
import { secretContexts } from '../../core/secrets/contexts';
import type { PlanHook, Retention } from '../../core/runs';
import { isRefusedScheduleSpec, scheduleProblem } from '../../core/schedule-expressions';
import {
  deletePlanSchedule,
  describePlanSchedule,
  planScheduleSourceOf,
  syncPlanSchedule,
  type PlanScheduleSettings,
} from '../../core/temporal/plan-schedules';
import { scheduleSettingsOf } from '../../core/temporal/schedule-sync';
import { recordAudit } from '../audit';
import type { RouteDependencies } from '../auth/services';
import { ApiError } from '../errors';
import { idempotencyKeyOf, requesterOf, triggerOf } from '../runs/requester';
import { createRunLauncher } from '../runs/run-launcher';
import { toRunResponse } from '../runs/run-response';
import {
  idParamsSchema,
  noContentResponse,
  withErrorResponses,
  schemaRef,
} from '../schemas/common';
import {
  archiveNamePreviewBodySchema,
  archiveNamePreviewSchema,
  createPlanBodySchema,
  planListSchema,
  updatePlanBodySchema,
} from '../schemas/plans';
import { runEnvelopeSchema } from '../schemas/runs';

/** A plan as clients send it; every field optional on update. */
export interface PlanBody {
  name: string;
  repositoryId: string;
  sources: string[];
  excludes?: string[];
  compression?: string;
  archiveName?: string;
  schedule?: { cron: string; timezone: string } | null;
  retention?: Retention | null;
  pruneAfterBackup?: boolean;
  compactAfterPrune?: boolean;
  checkAfterBackup?: boolean;
  hooks?: PlanHook[];
  enabled?: boolean;
  oneFileSystem?: boolean;
  checkpointIntervalSeconds?: number;
  jitterSeconds?: number;
  missedBackupHours?: number;
  /** healthchecks-style base URL; write-only (it often holds a token), null removes it. */
  pingUrl?: string | null;
}

interface PlanOptions {
  oneFileSystem?: boolean;
  checkpointIntervalSeconds?: number;
  jitterSeconds?: number;
  missedBackupHours?: number;
}

type IdParams = { Params: { id: string } };

const UNIQUE_VIOLATION = '23505';
const COMPRESSION_LEVELS: Record<string, [number, number] | null> = {
  none: null,
  lz4: null,
  zstd: [1, 22],
  zlib: [0, 9],
  lzma: [0, 9],
};
const tags = ['plans'];

/** Backup plans: what to back up where, when, and what to do around it. */
export async function planRoutes(app: FastifyInstance, deps: RouteDependencies): Promise<void> {
  const { db, config, temporal, logger, secrets } = deps;
  const launcher = createRunLauncher(deps);
  const scheduleSettings: PlanScheduleSettings = scheduleSettingsOf(config);

  async function syncSchedule(row: PlanRow): Promise<void> {
    try {
      await syncPlanSchedule(temporal, scheduleSettings, planScheduleSourceOf(row));
    } catch (error) {
      if (!isRefusedScheduleSpec(error)) throw error;
      throw invalid('schedule', `Temporal does not accept this expression (${error.message})`);
    }
  }

  app.get(
    '/api/plans',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: 'List plans with their next scheduled runs',
        response: withErrorResponses({ 200: planListSchema }),
      },
    },
    async () => {
      const rows = await db.selectFrom('plans').selectAll().orderBy('name').execute();

      return { plans: await Promise.all(rows.map((row) => withSchedule(row))) };
    },
  );

  app.get<IdParams>(
    '/api/plans/:id',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: 'One plan, with the next runs and overlap skips Temporal reports',
        params: idParamsSchema,
        response: withErrorResponses({ 200: schemaRef('Plan') }),
      },
    },
    async (request) => withSchedule(await requirePlan(request.params.id)),
  );

  app.post<{ Body: PlanBody }>(
    '/api/plans',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Create a plan and its Temporal schedule',
        body: createPlanBodySchema,
        response: withErrorResponses({ 201: schemaRef('Plan') }),
      },
    },
    async (request, reply) => {
      const values = await checkedPlan(request.body);
      const id = ulid();

      const row = await db
        .transaction()
        .execute(async (trx) => {
          const inserted = await trx
            .insertInto('plans')
            .values({ id, ...values, ...sealedPingUrl(id, request.body.pingUrl) })
            .returningAll()
            .executeTakeFirstOrThrow();

          // Inside the transaction: a schedule Temporal refused leaves no plan behind.
          await syncSchedule(inserted);
          return inserted;
        })
        .catch((error: unknown) => {
          throw asDuplicateName(error, values.name);
        });

      await audit(request, 'plan.create', id, { name: row.name, repositoryId: row.repository_id });
      return reply.status(201).send(await withSchedule(row));
    },
  );

  app.patch<IdParams & { Body: Partial<PlanBody> }>(
    '/api/plans/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Change a plan; its schedule follows (disabled plans are paused)',
        params: idParamsSchema,
        body: updatePlanBodySchema,
        response: withErrorResponses({ 200: schemaRef('Plan') }),
      },
    },
    async (request) => {
      const current = await requirePlan(request.params.id);
      const values = await checkedPlan({ ...toPlanBody(current), ...request.body });

      const row = await db
        .transaction()
        .execute(async (trx) => {
          const updated = await trx
            .updateTable('plans')
            .set({
              ...values,
              ...sealedPingUrl(current.id, request.body.pingUrl),
              updated_at: new Date(),
            })
            .where('id', '=', current.id)
            .returningAll()
            .executeTakeFirstOrThrow();

          await syncSchedule(updated);
          return updated;
        })
        .catch((error: unknown) => {
          throw asDuplicateName(error, values.name);
        });

      const action = enabledChange(current, row) ?? 'plan.update';
      await audit(request, action, row.id, { fields: Object.keys(request.body) });
      return withSchedule(row);
    },
  );

  app.delete<IdParams>(
    '/api/plans/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Delete a plan and its schedule; its archives and past runs stay',
        params: idParamsSchema,
        response: withErrorResponses(noContentResponse),
      },
    },
    async (request, reply) => {
      const plan = await requirePlan(request.params.id);

      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('plans').where('id', '=', plan.id).execute();

        await deletePlanSchedule(temporal, plan.id);
      });

      await audit(request, 'plan.delete', plan.id, { name: plan.name });
      return reply.status(204).send();
    },
  );

  app.post<IdParams>(
    '/api/plans/:id/run',
    {
      config: { access: 'operator' },
      schema: {
        tags,
        summary: 'Back up now; never beside another active backup of the plan (409 names it)',
        description:
          'Honours an `Idempotency-Key` header: a repeated request answers with the same run.',
        params: idParamsSchema,
        response: withErrorResponses({ 202: runEnvelopeSchema }),
      },
    },
    async (request, reply) => {
      const plan = await requirePlan(request.params.id);

      const { run, isExisting } = await launcher.startRun({
        kind: 'backup',
        input: { planId: plan.id, trigger: triggerOf(request) },
        requestedBy: requesterOf(request),
        idempotencyKey: idempotencyKeyOf(request),
      });

      if (!isExisting) {
        await audit(request, 'run.start', plan.id, { runId: run.id, kind: 'backup' });
      }
      return reply.status(202).send({ run: toRunResponse(run, config) });
    },
  );

  app.post<{ Body: { template: string; planName: string } }>(
    '/api/plans/archive-name-preview',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: 'Render an archive name template as a backup started now would',
        body: archiveNamePreviewBodySchema,
        response: withErrorResponses({ 200: archiveNamePreviewSchema }),
      },
    },
    async (request) => {
      const { template, planName } = request.body;
      const problem = templateProblem(template);
      if (problem) throw invalid('template', problem);
      const worker = await db
        .selectFrom('workers')
        .select('hostname')
        .orderBy('last_seen_at', 'desc')
        .executeTakeFirst();

      const hostname = worker?.hostname ?? os.hostname();
      return { name: renderArchiveName(template, { plan: planName, now: new Date(), hostname }) };
    },
  );

  /** The plan with what Temporal knows about its schedule; a Temporal hiccup shows no runs. */
  async function withSchedule(row: PlanRow) {
    const schedule = row.schedule_cron
      ? await describePlanSchedule(temporal, row.id).catch((error: unknown) => {
          logger.warn({ err: error, planId: row.id }, 'plan schedule not described');
          return undefined;
        })
      : undefined;

    return {
      ...toPlanResponse(row),
      nextRuns: (schedule?.nextRuns ?? []).map((at) => at.toISOString()),
      skippedForOverlap: schedule?.skippedForOverlap ?? 0,
    };
  }

  /** The ping URL column to write, when the request names one (null clears it). */
  function sealedPingUrl(planId: string, pingUrl: string | null | undefined) {
    if (pingUrl === undefined) return {};
    return {
      ping_url_secret: pingUrl
        ? secrets.encrypt(pingUrl, secretContexts.planPingUrl(planId))
        : null,
    };
  }

  async function requirePlan(id: string): Promise<PlanRow> {
    const row = await db.selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirst();

    if (!row) throw new ApiError('NOT_FOUND', `No plan with id ${id}.`);
    return row;
  }

  /** Validates what JSON schema cannot and turns the body into column values. */
  async function checkedPlan(body: PlanBody) {
    await requireRepository(db, body.repositoryId);
    const sources = await Promise.all(
      body.sources.map((source) => resolveWithinRoots(source, config.sourceRoots, 'source')),
    );
    const compression = body.compression ?? 'zstd,3';
    const compressionIssue = compressionProblem(compression);
    if (compressionIssue) throw invalid('compression', compressionIssue);
    const template = body.archiveName ?? DEFAULT_ARCHIVE_TEMPLATE;
    const templateIssue = templateProblem(template);
    if (templateIssue) throw invalid('archiveName', templateIssue);
    if (body.schedule) {
      const scheduleIssue = scheduleProblem(body.schedule.cron, body.schedule.timezone);
      if (scheduleIssue) throw invalid('schedule', scheduleIssue);
    }
    if (body.pruneAfterBackup && !body.retention) {
      throw invalid('retention', 'pruneAfterBackup needs a retention policy');
    }
    const options: PlanOptions = {
      oneFileSystem: body.oneFileSystem,
      checkpointIntervalSeconds: body.checkpointIntervalSeconds,
      jitterSeconds: body.jitterSeconds,
      missedBackupHours: body.missedBackupHours,
    };

    return {
      name: body.name,
      repository_id: body.repositoryId,
      sources,
      excludes: body.excludes ?? [],
      compression,
      archive_name_template: template,
      schedule_cron: body.schedule?.cron ?? null,
      schedule_timezone: body.schedule?.timezone ?? null,
      retention: body.retention ? { ...body.retention } : null,
      prune_after_backup: body.pruneAfterBackup ?? false,
      compact_after_prune: body.compactAfterPrune ?? true,
      check_after_backup: body.checkAfterBackup ?? false,
      hooks: body.hooks ?? [],
      enabled: body.enabled ?? true,
      options: JSON.parse(JSON.stringify(options)) as Record<string, unknown>,
    };
  }

  async function audit(
    request: FastifyRequest,
    action: string,
    planId: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    await recordAudit(
      db,
      { action, target: `plan:${planId}`, outcome: 'success', details },
      request,
    );
  }
}

/** A `plans` row as the API shows it. */
export function toPlanResponse(row: PlanRow) {
  const options = row.options as PlanOptions;
  return {
    id: row.id,
    name: row.name,
    repositoryId: row.repository_id,
    sources: row.sources,
    excludes: row.excludes,
    compression: row.compression,
    archiveName: row.archive_name_template,
    schedule: row.schedule_cron
      ? { cron: row.schedule_cron, timezone: row.schedule_timezone ?? 'UTC' }
      : null,
    retention: row.retention,
    pruneAfterBackup: row.prune_after_backup,
    compactAfterPrune: row.compact_after_prune,
    checkAfterBackup: row.check_after_backup,
    hooks: row.hooks,
    enabled: row.enabled,
    oneFileSystem: options.oneFileSystem ?? false,
    checkpointIntervalSeconds: options.checkpointIntervalSeconds ?? null,
    jitterSeconds: options.jitterSeconds ?? null,
    missedBackupHours: options.missedBackupHours ?? null,
    hasPingUrl: row.ping_url_secret !== null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function toPlanBody(row: PlanRow): PlanBody {
  const { hasPingUrl: _hasPingUrl, ...response } = toPlanResponse(row);
  return {
    ...response,
    retention: row.retention,
    hooks: row.hooks as PlanHook[],
    checkpointIntervalSeconds: response.checkpointIntervalSeconds ?? undefined,
    jitterSeconds: response.jitterSeconds ?? undefined,
    missedBackupHours: response.missedBackupHours ?? undefined,
  };
}

function enabledChange(before: PlanRow, after: PlanRow): string | undefined {
  if (before.enabled === after.enabled) return undefined;
  return after.enabled ? 'plan.enable' : 'plan.disable';
}

async function requireRepository(db: Kysely<Database>, id: string): Promise<void> {
  const row = await db
    .selectFrom('repositories')
    .select('id')
    .where('id', '=', id)
    .executeTakeFirst();

  if (!row) throw invalid('repositoryId', `no repository with id ${id}`);
}

/** Borg's compression spec: `none`, `lz4`, `zstd[,1-22]`, `zlib[,0-9]`, `lzma[,0-9]`, maybe `auto,`. */
export function compressionProblem(spec: string): string | undefined {
  const [algorithm, level, ...rest] = spec.replace(/^auto,/, '').split(',');
  const range = COMPRESSION_LEVELS[algorithm];
  const expected = 'none, lz4, zstd[,1-22], zlib[,0-9] or lzma[,0-9], optionally after auto,';
  if (range === undefined || rest.length > 0) return `expected ${expected}`;
  if (level === undefined) return undefined;
  if (!range || !/^\d{1,2}$/.test(level) || Number(level) < range[0] || Number(level) > range[1]) {
    return `${algorithm} takes ${range ? `a level from ${range[0]} to ${range[1]}` : 'no level'}`;
  }
  if (algorithm === 'none' && spec.startsWith('auto,')) return 'auto,none makes no sense';
  return undefined;
}

function invalid(field: string, problem: string): ApiError {
  return new ApiError('VALIDATION_FAILED', `${field}: ${problem}.`, { field: `body.${field}` });
}

function asDuplicateName(error: unknown, name: string): unknown {
  if ((error as { code?: string }).code !== UNIQUE_VIOLATION) return error;
  return new ApiError('CONFLICT', `A plan named ${name} exists already.`, { field: 'body.name' });
}
