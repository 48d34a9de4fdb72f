import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Transaction } from 'kysely';
import { ulid } from 'ulid';
import type { Database, MaintenanceScheduleRow } from '../../core/db/schema';
import type {
  CheckScheduleOptions,
  MaintenanceKind,
  MaintenanceScheduleOptions,
  PruneScheduleOptions,
} from '../../core/maintenance-schedules';
import {
  deleteMaintenanceSchedule,
  describeMaintenanceSchedule,
  maintenanceScheduleSourceOf,
  syncMaintenanceSchedule,
} from '../../core/temporal/maintenance-schedules';
import { isRefusedScheduleSpec, scheduleProblem } from '../../core/schedule-expressions';
import { scheduleSettingsOf } from '../../core/temporal/schedule-sync';
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
  createMaintenanceScheduleBodySchema,
  maintenanceScheduleListSchema,
  updateMaintenanceScheduleBodySchema,
} from '../schemas/maintenance-schedules';

/** A schedule as clients send it; `kind` only on create. */
export interface MaintenanceScheduleBody {
  kind: MaintenanceKind;
  cron: string;
  timezone?: string;
  enabled?: boolean;
  jitterSeconds?: number | null;
  options?: CheckScheduleOptions & Partial<PruneScheduleOptions>;
}

type IdParams = { Params: { id: string } };

const CHECK_FIELDS = ['verifyData', 'repositoryOnly', 'archivesOnly', 'maxDurationSeconds'];
const PRUNE_FIELDS = ['retention', 'globArchives', 'compact'];
const tags = ['maintenance schedules'];

// Writes are admin-only although a manual check or prune is operator work: a schedule keeps
// acting long after the person who made it has gone, and a scheduled prune deletes archives
// unattended, with no dry run first. That is the same weight as a plan's retention.
const WRITE_ACCESS = 'admin';

/** Checks and prunes of a repository on a timetable, each kept in step with a Temporal Schedule. */
export async function maintenanceScheduleRoutes(
  app: FastifyInstance,
  deps: RouteDependencies,
): Promise<void> {
  const { db, config, temporal, logger } = deps;
  const settings = scheduleSettingsOf(config);

  app.get<IdParams>(
    '/api/repositories/:id/schedules',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: 'List the check and prune schedules of a repository, with their next runs',
        params: idParamsSchema,
        response: withErrorResponses({ 200: maintenanceScheduleListSchema }),
      },
    },
    async (request) => {
      await requireRepository(request.params.id);
      const rows = await db
        .selectFrom('maintenance_schedules')
        .selectAll()
        .where('repository_id', '=', request.params.id)
        .orderBy('created_at')
        .orderBy('id')
        .execute();

      return { schedules: await Promise.all(rows.map((row) => withSchedule(row))) };
    },
  );

  app.post<IdParams & { Body: MaintenanceScheduleBody }>(
    '/api/repositories/:id/schedules',
    {
      config: { access: WRITE_ACCESS },
      schema: {
        tags,
        summary: 'Schedule checks or prunes of a repository (a Temporal Schedule)',
        params: idParamsSchema,
        body: createMaintenanceScheduleBodySchema,
        response: withErrorResponses({ 201: schemaRef('MaintenanceSchedule') }),
      },
    },
    async (request, reply) => {
      await requireRepository(request.params.id);
      const values = checkedSchedule(request.body);
      const id = ulid();

      const row = await db.transaction().execute(async (trx) => {
        const inserted = await trx
          .insertInto('maintenance_schedules')
          .values({ id, repository_id: request.params.id, ...values })
          .returningAll()
          .executeTakeFirstOrThrow();

        // Inside the transaction: a schedule Temporal refused leaves no row behind.
        await sync(inserted);
        return inserted;
      });

      await audit(request, 'maintenance-schedule.create', row, { cron: row.cron });
      return reply.status(201).send(await withSchedule(row));
    },
  );

  app.patch<IdParams & { Body: Partial<MaintenanceScheduleBody> }>(
    '/api/maintenance-schedules/:id',
    {
      config: { access: WRITE_ACCESS },
      schema: {
        tags,
        summary: 'Change a schedule; Temporal follows (a disabled schedule is paused)',
        params: idParamsSchema,
        body: updateMaintenanceScheduleBodySchema,
        response: withErrorResponses({ 200: schemaRef('MaintenanceSchedule') }),
      },
    },
    async (request) => {
      const current = await requireSchedule(request.params.id);
      const values = checkedSchedule({ ...toScheduleBody(current), ...request.body });

      const row = await db.transaction().execute(async (trx) => {
        const updated = await trx
          .updateTable('maintenance_schedules')
          .set({ ...values, updated_at: new Date() })
          .where('id', '=', current.id)
          .returningAll()
          .executeTakeFirstOrThrow();

        await sync(updated);
        return updated;
      });

      const action = enabledChange(current, row) ?? 'maintenance-schedule.update';
      await audit(request, action, row, { fields: Object.keys(request.body) });
      return withSchedule(row);
    },
  );

  app.delete<IdParams>(
    '/api/maintenance-schedules/:id',
    {
      config: { access: WRITE_ACCESS },
      schema: {
        tags,
        summary: 'Delete a schedule; past runs stay',
        params: idParamsSchema,
        response: withErrorResponses(noContentResponse),
      },
    },
    async (request, reply) => {
      const schedule = await requireSchedule(request.params.id);

      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('maintenance_schedules').where('id', '=', schedule.id).execute();

        await deleteMaintenanceSchedule(temporal, schedule.id);
      });

      await audit(request, 'maintenance-schedule.delete', schedule, { cron: schedule.cron });
      return reply.status(204).send();
    },
  );

  async function sync(row: MaintenanceScheduleRow): Promise<void> {
    try {
      await syncMaintenanceSchedule(temporal, settings, maintenanceScheduleSourceOf(row));
    } catch (error) {
      if (!isRefusedScheduleSpec(error)) throw error;
      throw invalid('cron', `Temporal does not accept this expression (${error.message})`);
    }
  }

  /** The schedule with what Temporal knows of it; a Temporal hiccup shows no runs. */
  async function withSchedule(row: MaintenanceScheduleRow) {
    const figures = await describeMaintenanceSchedule(temporal, row.id).catch((error: unknown) => {
      logger.warn({ err: error, scheduleId: row.id }, 'maintenance schedule not described');
      return undefined;
    });

    return {
      ...toMaintenanceScheduleResponse(row),
      nextRuns: (figures?.nextRuns ?? []).map((at) => at.toISOString()),
      skippedForOverlap: figures?.skippedForOverlap ?? 0,
    };
  }

  async function requireRepository(id: string): Promise<void> {
    const row = await db
      .selectFrom('repositories')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst();

    if (!row) throw new ApiError('NOT_FOUND', `No repository with id ${id}.`);
  }

  async function requireSchedule(id: string): Promise<MaintenanceScheduleRow> {
    const row = await db
      .selectFrom('maintenance_schedules')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();

    if (!row) throw new ApiError('NOT_FOUND', `No maintenance schedule with id ${id}.`);
    return row;
  }

  async function audit(
    request: FastifyRequest,
    action: string,
    row: MaintenanceScheduleRow,
    details: Record<string, unknown>,
  ): Promise<void> {
    await recordAudit(
      db,
      {
        action,
        target: `maintenance-schedule:${row.id}`,
        outcome: 'success',
        details: { repositoryId: row.repository_id, kind: row.kind, ...details },
      },
      request,
    );
  }
}

/**
 * Deletes a repository's schedule rows inside the transaction that deletes the repository, and
 * returns their ids so the caller can delete the Temporal Schedules once the repository is gone.
 * The repository row is locked first: a schedule created meanwhile waits, then fails its foreign
 * key before it reaches Temporal, instead of leaving a Temporal Schedule behind.
 */
export async function takeRepositorySchedules(
  trx: Transaction<Database>,
  repositoryId: string,
): Promise<string[]> {
  await trx
    .selectFrom('repositories')
    .select('id')
    .where('id', '=', repositoryId)
    .forUpdate()
    .execute();
  const deleted = await trx
    .deleteFrom('maintenance_schedules')
    .where('repository_id', '=', repositoryId)
    .returning('id')
    .execute();

  return deleted.map((row) => row.id);
}

/** A `maintenance_schedules` row as the API shows it. */
function toMaintenanceScheduleResponse(row: MaintenanceScheduleRow) {
  return {
    ...maintenanceScheduleSourceOf(row),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function toScheduleBody(row: MaintenanceScheduleRow): MaintenanceScheduleBody {
  return {
    kind: row.kind,
    cron: row.cron,
    timezone: row.timezone,
    enabled: row.enabled,
    jitterSeconds: row.jitter_seconds,
    options: row.options,
  };
}

/** Validates what JSON schema cannot and turns the body into column values. */
function checkedSchedule(body: MaintenanceScheduleBody) {
  const cron = body.cron.trim();
  const timezone = body.timezone ?? 'UTC';
  if (!isKnownTimeZone(timezone)) {
    throw invalid(
      'timezone',
      `unknown time zone ${timezone}; use an IANA name such as Europe/Berlin`,
    );
  }
  const cronIssue = scheduleProblem(cron, timezone);
  if (cronIssue) throw invalid('cron', cronIssue);

  return {
    kind: body.kind,
    cron,
    timezone,
    enabled: body.enabled ?? true,
    jitter_seconds: body.jitterSeconds ?? null,
    options: checkedOptions(body.kind, body.options ?? {}),
  };
}

function checkedOptions(
  kind: MaintenanceKind,
  options: CheckScheduleOptions & Partial<PruneScheduleOptions>,
): MaintenanceScheduleOptions {
  const foreign = kind === 'check' ? PRUNE_FIELDS : CHECK_FIELDS;
  const stray = foreign.find((field) => field in options);
  if (stray) throw invalid(`options.${stray}`, `a ${kind} schedule does not take it`);
  if (kind === 'prune') return checkedPruneOptions(options);
  if (options.repositoryOnly && options.archivesOnly) {
    throw invalid('options.archivesOnly', 'choose repositoryOnly or archivesOnly, not both');
  }
  if (options.maxDurationSeconds && (options.archivesOnly || options.verifyData)) {
    throw invalid(
      'options.maxDurationSeconds',
      'a time-limited check covers repository segments only; drop archivesOnly and verifyData',
    );
  }

  const { verifyData, repositoryOnly, archivesOnly, maxDurationSeconds } = options;
  return { verifyData, repositoryOnly, archivesOnly, maxDurationSeconds };
}

function checkedPruneOptions(options: Partial<PruneScheduleOptions>): PruneScheduleOptions {
  const { retention, globArchives, compact } = options;
  if (!retention || Object.keys(retention).length === 0) {
    throw invalid('options.retention', 'a prune schedule needs at least one retention rule');
  }

  return { retention: { ...retention }, globArchives, compact };
}

function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

function enabledChange(
  before: MaintenanceScheduleRow,
  after: MaintenanceScheduleRow,
): string | undefined {
  if (before.enabled === after.enabled) return undefined;
  return after.enabled ? 'maintenance-schedule.enable' : 'maintenance-schedule.disable';
}

function invalid(field: string, problem: string): ApiError {
  return new ApiError('VALIDATION_FAILED', `${field}: ${problem}.`, { field: `body.${field}` });
}
