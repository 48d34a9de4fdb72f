import { ScheduleNotFoundError } from '@temporalio/client';
import { sql } from 'kysely';
import type { RunStep } from '../core/db/schema';
import type { RunError, RunKind, RunProgress, RunStatus, RunTrigger } from '../core/runs';
import type { ActivityDependencies } from './dependencies';

export interface StartRunRecord {
  runId: string;
  temporalRunId: string;
  kind: RunKind;
  trigger: RunTrigger;
  repositoryId?: string;
  planId?: string;
  input: Record<string, unknown>;
  retryOf?: string;
  requestedBy?: string;
}

export interface RunRecordUpdate {
  runId: string;
  status?: RunStatus;
  waitingReason?: string | null;
  steps?: RunStep[];
  progress?: RunProgress | null;
}

/** A run started by a Temporal Schedule, at its end: the starts the schedule skipped meanwhile. */
export interface SkippedScheduleStarts {
  scheduleId: string;
  runId: string;
  kind: RunKind;
  repositoryId?: string;
  planId?: string;
}

export interface FinishRunRecord {
  runId: string;
  status: RunStatus;
  steps?: RunStep[];
  stats?: Record<string, unknown>;
  error?: RunError;
}

const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';

export interface StartedRunRecord {
  overlappingRunId?: string;
  /** The worker's OPERATOR_WAIT_HOURS, for runs whose input does not say how long to wait. */
  operatorWaitSeconds?: number;
}

/**
 * Mirrors runs into PostgreSQL, so the API lists them quickly. Temporal remains the truth while a
 * run is in flight; these rows are what is kept and searched afterwards.
 */
export function createRunRecordActivities({ db, config, temporal }: ActivityDependencies) {
  const operatorWaitSeconds = config.operatorWaitHours * 60 * 60;

  return {
    /**
     * Records that a run started. Returns the id of another active backup of the same plan when
     * one exists: the caller then skips instead of running twice.
     */
    async startRunRecord(record: StartRunRecord): Promise<StartedRunRecord> {
      const values = {
        status: 'running',
        started_at: new Date(),
        temporal_run_id: record.temporalRunId,
      };
      try {
        await db
          .insertInto('runs')
          .values({
            id: record.runId,
            kind: record.kind,
            trigger: record.trigger,
            repository_id: record.repositoryId ?? null,
            plan_id: record.planId ?? null,
            input: record.input,
            retry_of: record.retryOf ?? null,
            created_by: record.requestedBy ?? null,
            ...values,
          })
          .onConflict((oc) => oc.column('id').doUpdateSet(values))
          .execute();
      } catch (error) {
        if ((error as { code?: string }).code !== UNIQUE_VIOLATION || !record.planId) throw error;
        const overlappingRunId = await activeBackupOf(record.planId, record.runId);
        await recordSkipped(record, overlappingRunId);
        return { overlappingRunId, operatorWaitSeconds };
      }
      if (record.retryOf) {
        await db
          .updateTable('runs')
          .set({ retried_by: record.runId })
          .where('id', '=', record.retryOf)
          .execute();
      }

      return { operatorWaitSeconds };
    },

    async updateRunRecord(update: RunRecordUpdate): Promise<void> {
      await db
        .updateTable('runs')
        .set({
          ...(update.status ? { status: update.status } : {}),
          ...(update.waitingReason !== undefined ? { waiting_reason: update.waitingReason } : {}),
          ...(update.steps ? { steps: update.steps } : {}),
          ...(update.progress !== undefined
            ? { progress: update.progress ? update.progress : null }
            : {}),
        })
        .where('id', '=', update.runId)
        .execute();
    },

    /**
     * With overlap SKIP, Temporal starts nothing for a tick that comes while the schedule's last
     * run still goes, and only counts it. Each such tick becomes a `skipped` run here, so the
     * runs list shows it beside the run it gave way to. Returns how many were recorded.
     */
    async recordSkippedScheduleStarts(request: SkippedScheduleStarts): Promise<number> {
      let schedule: { skipped: number; createdAt: Date };
      try {
        const { info } = await temporal.schedule.getHandle(request.scheduleId).describe();
        schedule = { skipped: info.numActionsSkippedOverlap, createdAt: info.createdAt };
      } catch (error) {
        // Deleted while its run went on (plan deleted or unscheduled): nothing left to count.
        if (error instanceof ScheduleNotFoundError) return 0;
        throw error;
      }
      // Temporal counts over one schedule's life; a schedule deleted and created again under the
      // same id starts from zero, so only this life's rows count, and they are named after it.
      const life = schedule.createdAt.getTime();
      const { count } = await db
        .selectFrom('runs')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .where('status', '=', 'skipped')
        .where(sql<boolean>`input->>'skippedScheduleId' = ${request.scheduleId}`)
        .where('created_at', '>=', schedule.createdAt)
        .executeTakeFirstOrThrow();
      const alreadyRecorded = Number(count);
      const missing = schedule.skipped - alreadyRecorded;
      if (missing <= 0) return 0;

      const running = await db
        .selectFrom('runs')
        .select('started_at')
        .where('id', '=', request.runId)
        .executeTakeFirst();
      const now = new Date();
      const rows = Array.from({ length: missing }, (_, index) => ({
        // Numbered per schedule life, so a retried activity records nothing twice.
        id: `${request.scheduleId}-skipped-${life}-${alreadyRecorded + index + 1}`,
        kind: request.kind,
        trigger: 'schedule' as const,
        status: 'skipped' as const,
        repository_id: request.repositoryId ?? null,
        plan_id: request.planId ?? null,
        input: { skippedScheduleId: request.scheduleId },
        waiting_reason: null,
        stats: {
          skippedBecause: `a scheduled start came while ${request.runId} was still running`,
          skippedBetween: {
            from: running?.started_at?.toISOString() ?? null,
            until: now.toISOString(),
          },
        },
        started_at: now,
        finished_at: now,
      }));
      try {
        await db
          .insertInto('runs')
          .values(rows)
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
      } catch (error) {
        // The plan or repository was deleted meanwhile: its runs are gone with it.
        if ((error as { code?: string }).code === FOREIGN_KEY_VIOLATION) return 0;
        throw error;
      }

      return missing;
    },

    async finishRunRecord(finish: FinishRunRecord): Promise<void> {
      await db
        .updateTable('runs')
        .set({
          status: finish.status,
          finished_at: new Date(),
          waiting_reason: null,
          ...(finish.steps ? { steps: finish.steps } : {}),
          ...(finish.stats ? { stats: finish.stats } : {}),
          ...(finish.error ? { error: finish.error } : {}),
          ...finalProgress(finish.stats),
        })
        .where('id', '=', finish.runId)
        .execute();
    },
  };

  async function recordSkipped(record: StartRunRecord, overlappingRunId: string | undefined) {
    const now = new Date();
    await db
      .insertInto('runs')
      .values({
        id: record.runId,
        kind: record.kind,
        trigger: record.trigger,
        status: 'skipped',
        repository_id: record.repositoryId ?? null,
        plan_id: record.planId ?? null,
        input: record.input,
        temporal_run_id: record.temporalRunId,
        waiting_reason: null,
        stats: { skippedBecause: `plan already running as ${overlappingRunId}` },
        started_at: now,
        finished_at: now,
      })
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({ status: 'skipped', started_at: now, finished_at: now }),
      )
      .execute();
  }

  async function activeBackupOf(planId: string, runId: string): Promise<string | undefined> {
    const active = await db
      .selectFrom('runs')
      .select('id')
      .where('plan_id', '=', planId)
      .where('kind', '=', 'backup')
      .where('status', 'in', ['queued', 'running', 'waiting'])
      .where('id', '!=', runId)
      .executeTakeFirst();

    return active?.id;
  }
}

/**
 * Progress is written about once a second while borg runs, so a short backup may end before
 * its last figures are stored: a finished backup shows its archive's own figures instead.
 */
function finalProgress(stats: Record<string, unknown> | undefined): { progress?: RunProgress } {
  const figures = stats as
    | {
        originalBytes?: number;
        compressedBytes?: number;
        deduplicatedBytes?: number;
        files?: number;
      }
    | undefined;
  if (typeof figures?.originalBytes !== 'number') return {};

  return {
    progress: {
      step: 'done',
      originalBytes: figures.originalBytes,
      compressedBytes: figures.compressedBytes,
      deduplicatedBytes: figures.deduplicatedBytes,
      files: figures.files,
      percent: 100,
    },
  };
}
