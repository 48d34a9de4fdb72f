import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { sql } from 'kysely';
import type { PlanHook, Retention } from '../core/runs';
import {
  archiveInfo,
  BorgError,
  createArchive,
  deleteArchives,
  listArchives,
  type ArchiveStats,
  type BorgWarning,
} from './borg';
import type { ActivityDependencies } from './dependencies';
import { loadBorgRepository } from './repository-access';
import { runPlanHook, type PlanHookRequest } from './plan-hooks';
import { asTemporalFailure } from './run-errors';
import { createRunLog } from './run-log';
import { createProgressReporter } from './run-progress';

/** A plan as a backup run needs it: settings only, never a secret. */
export interface BackupPlan {
  id: string;
  name: string;
  repositoryId: string;
  sources: string[];
  excludes: string[];
  compression: string;
  archiveNameTemplate: string;
  retention: Retention | null;
  pruneAfterBackup: boolean;
  compactAfterPrune: boolean;
  checkAfterBackup: boolean;
  hooks: PlanHook[];
  oneFileSystem: boolean;
  checkpointIntervalSeconds?: number;
}

export interface CreatedBackup {
  archiveName: string;
  status: 'success' | 'warning';
  warnings: BorgWarning[];
  stats: ArchiveStats;
  durationSeconds: number;
}

export function createBackupActivities(deps: ActivityDependencies) {
  const { db } = deps;

  return {
    loadBackupPlan: ({ planId }: { planId: string }) => loadPlan(deps, planId),

    runPlanHook: (request: PlanHookRequest) =>
      runPlanHook(createRunLog(db, request.runId, deps.logger), request),

    /**
     * `borg create` of the plan's sources. The archive name comes from the workflow, so a retry
     * after a crash writes the same archive: borg reuses the chunks its checkpoint already holds,
     * and when an earlier attempt in fact finished, that archive is taken as the result.
     */
    async createPlanArchive(request: {
      runId: string;
      planId: string;
      archiveName: string;
    }): Promise<CreatedBackup> {
      const plan = await loadPlan(deps, request.planId);
      const repository = await loadBorgRepository(deps, plan.repositoryId);
      const context = Context.current();
      const expectedOriginalBytes = await lastBackupOriginalBytes(deps, plan.id);
      const options = {
        log: createRunLog(db, request.runId, deps.logger),
        signal: context.cancellationSignal,
        onProgress: createProgressReporter(db, request.runId, 'create', { expectedOriginalBytes }),
      };

      return asTemporalFailure('create archive', async () => {
        try {
          const created = await createArchive(
            repository,
            {
              archiveName: request.archiveName,
              sources: plan.sources,
              excludePatterns: plan.excludes,
              compression: plan.compression,
              oneFileSystem: plan.oneFileSystem,
              checkpointIntervalSeconds: plan.checkpointIntervalSeconds,
            },
            options,
          );
          await removeCheckpoints(request.archiveName);
          const { archive } = created;
          return {
            archiveName: archive.name,
            status: created.status,
            warnings: created.warnings,
            stats: archive.stats,
            durationSeconds: archive.durationSeconds,
          };
        } catch (error) {
          const isEarlierAttemptDone =
            error instanceof BorgError &&
            error.type === 'ARCHIVE_ALREADY_EXISTS' &&
            context.info.attempt > 1;
          if (!isEarlierAttemptDone) throw error;
          const archive = await archiveInfo(repository, request.archiveName, options);
          await removeCheckpoints(request.archiveName);
          return {
            archiveName: archive.name,
            status: 'success' as const,
            warnings: [],
            stats: archive.stats,
            durationSeconds: archive.durationSeconds,
          };
        }
      });

      // Checkpoints of interrupted attempts stay in the repository until deleted: the final
      // archive now holds all of their data.
      async function removeCheckpoints(archiveName: string): Promise<void> {
        const archives = await listArchives(
          repository,
          { prefix: `${archiveName}.checkpoint`, includeCheckpoints: true },
          options,
        );
        const names = archives.map((archive) => archive.name);
        if (names.length > 0) await deleteArchives(repository, names, options);
      }
    },
  };
}

/** What the plan's last good backup read, for an estimated percent of this one. */
async function lastBackupOriginalBytes(
  { db }: ActivityDependencies,
  planId: string,
): Promise<number | undefined> {
  const last = await db
    .selectFrom('runs')
    .select(sql<string | null>`stats->>'originalBytes'`.as('originalBytes'))
    .where('kind', '=', 'backup')
    .where('plan_id', '=', planId)
    .where('status', 'in', ['succeeded', 'warning'])
    .orderBy('finished_at', 'desc')
    .limit(1)
    .executeTakeFirst();

  const bytes = Number(last?.originalBytes);
  return Number.isFinite(bytes) && bytes > 0 ? bytes : undefined;
}

async function loadPlan({ db }: ActivityDependencies, planId: string): Promise<BackupPlan> {
  const row = await db.selectFrom('plans').selectAll().where('id', '=', planId).executeTakeFirst();
  if (!row) {
    throw ApplicationFailure.nonRetryable(`plan ${planId} no longer exists`, 'PLAN_DELETED');
  }
  const options = row.options as {
    oneFileSystem?: boolean;
    checkpointIntervalSeconds?: number;
  };

  return {
    id: row.id,
    name: row.name,
    repositoryId: row.repository_id,
    sources: row.sources,
    excludes: row.excludes,
    compression: row.compression,
    archiveNameTemplate: row.archive_name_template,
    retention: row.retention as Retention | null,
    pruneAfterBackup: row.prune_after_backup,
    compactAfterPrune: row.compact_after_prune,
    checkAfterBackup: row.check_after_backup,
    hooks: row.hooks as PlanHook[],
    oneFileSystem: options.oneFileSystem ?? false,
    checkpointIntervalSeconds: options.checkpointIntervalSeconds,
  };
}
