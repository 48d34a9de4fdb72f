import { Context } from '@temporalio/activity';
import type { Retention } from '../core/runs';
import {
  archiveInfo,
  checkRepository,
  compactRepository,
  deleteArchive,
  listArchives,
  pruneArchives,
  repositoryInfo,
  type BorgRunOptions,
  type BorgWarning,
  type PrunedArchive,
} from './borg';
import type { ActivityDependencies } from './dependencies';
import { loadBorgRepository } from './repository-access';
import { asTemporalFailure } from './run-errors';
import { createRunLog } from './run-log';
import { createProgressReporter } from './run-progress';

export interface CheckOutcome {
  isHealthy: boolean;
  isPartial: boolean;
  status: 'success' | 'warning';
  problems: BorgWarning[];
}

export interface PruneOutcome {
  status: 'success' | 'warning';
  isDryRun: boolean;
  pruned: string[];
  kept: PrunedArchive[];
}

export interface RepositoryRefresh {
  archiveCount: number;
  originalBytes: number;
  deduplicatedBytes: number;
  lastArchiveAt: string | null;
}

/** Repository upkeep: check, prune, compact, delete, and refreshing what the API shows. */
/** Archives without figures asked about per refresh; the rest wait for the next refresh. */
const ARCHIVES_DESCRIBED_PER_REFRESH = 50;
/** Each `borg info` loads the repository cache: a few at once, not one per archive. */
const ARCHIVE_INFO_CONCURRENCY = 2;

async function mapWithConcurrency<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return results;
}

export function createMaintenanceActivities(deps: ActivityDependencies) {
  const { db } = deps;
  const runOptions = (runId: string, step: string): BorgRunOptions => ({
    log: createRunLog(db, runId, deps.logger),
    signal: Context.current().cancellationSignal,
    onProgress: createProgressReporter(db, runId, step),
  });

  return {
    async checkRepositoryStep(request: {
      runId: string;
      repositoryId: string;
      verifyData?: boolean;
      repositoryOnly?: boolean;
      archivesOnly?: boolean;
      maxDurationSeconds?: number;
    }): Promise<CheckOutcome> {
      const repository = await loadBorgRepository(deps, request.repositoryId);
      const scope = request.repositoryOnly
        ? 'repository'
        : request.archivesOnly
          ? 'archives'
          : 'all';

      return asTemporalFailure('check repository', async () => {
        const result = await checkRepository(
          repository,
          { scope, verifyData: request.verifyData, maxDurationSeconds: request.maxDurationSeconds },
          runOptions(request.runId, 'check'),
        );
        await db
          .updateTable('repositories')
          .set({ last_check_at: new Date() })
          .where('id', '=', request.repositoryId)
          .execute();

        return {
          isHealthy: result.isHealthy,
          isPartial: result.isPartial,
          status: result.status,
          problems: result.warnings,
        };
      });
    },

    async pruneRepositoryStep(request: {
      runId: string;
      repositoryId: string;
      retention: Retention;
      globArchives?: string;
      dryRun?: boolean;
    }): Promise<PruneOutcome> {
      const repository = await loadBorgRepository(deps, request.repositoryId);

      return asTemporalFailure('prune archives', async () => {
        const result = await pruneArchives(
          repository,
          { ...request.retention, globArchives: request.globArchives, dryRun: request.dryRun },
          runOptions(request.runId, 'prune'),
        );
        return {
          status: result.status,
          isDryRun: result.isDryRun,
          pruned: result.archives.filter((a) => a.decision === 'prune').map((a) => a.name),
          kept: result.archives.filter((a) => a.decision === 'keep'),
        };
      });
    },

    async compactRepositoryStep(request: { runId: string; repositoryId: string }): Promise<void> {
      const repository = await loadBorgRepository(deps, request.repositoryId);

      await asTemporalFailure('compact repository', () =>
        compactRepository(repository, {}, runOptions(request.runId, 'compact')),
      );
    },

    async deleteArchiveStep(request: {
      runId: string;
      repositoryId: string;
      archive: string;
    }): Promise<{ existed: boolean }> {
      const repository = await loadBorgRepository(deps, request.repositoryId);
      const options = runOptions(request.runId, 'delete');

      return asTemporalFailure('delete archive', async () => {
        // A retry after a crash may find the archive already gone: that is the goal reached.
        const existing = await listArchives(repository, { prefix: request.archive }, options);
        if (!existing.some((archive) => archive.name === request.archive))
          return { existed: false };
        await deleteArchive(repository, request.archive, options);
        return { existed: true };
      });
    },

    /**
     * Re-reads the repository's archives and sizes into PostgreSQL, for the API and the UI. An
     * archive's own figures never change once written (its deduplicated size is the one borg
     * reported against the repository as it was then), so only archives without figures are
     * asked about, a few at a time, instead of the newest ones after every backup.
     */
    async refreshRepository(request: { repositoryId: string }): Promise<RepositoryRefresh> {
      const repository = await loadBorgRepository(deps, request.repositoryId);
      const signal = Context.current().cancellationSignal;

      return asTemporalFailure('refresh repository', async () => {
        const info = await repositoryInfo(repository, { signal });
        const archives = await listArchives(repository, {}, { signal });
        const known = await db
          .selectFrom('archives')
          .select([
            'borg_id',
            'name',
            'finished_at as end',
            'original_bytes',
            'compressed_bytes',
            'deduplicated_bytes',
            'files',
          ])
          .where('repository_id', '=', request.repositoryId)
          .where('original_bytes', 'is not', null)
          .execute();
        const knownIds = new Set(known.map((row) => row.borg_id));
        const unknown = archives
          .filter((archive) => !knownIds.has(archive.id))
          .slice(-ARCHIVES_DESCRIBED_PER_REFRESH);
        const described = await mapWithConcurrency(unknown, ARCHIVE_INFO_CONCURRENCY, (archive) =>
          archiveInfo(repository, archive.name, { signal }),
        );
        const details = [
          ...known.map((row) => ({
            name: row.name,
            end: row.end,
            stats: {
              originalBytes: Number(row.original_bytes),
              compressedBytes: Number(row.compressed_bytes),
              deduplicatedBytes: Number(row.deduplicated_bytes),
              files: Number(row.files),
            },
          })),
          ...described,
        ];
        const byName = new Map(details.map((detail) => [detail.name, detail]));
        const lastArchiveAt = archives.at(-1)?.start ?? null;
        await db.transaction().execute(async (trx) => {
          await trx
            .deleteFrom('archives')
            .where('repository_id', '=', request.repositoryId)
            .execute();
          if (archives.length > 0) {
            await trx
              .insertInto('archives')
              .values(
                archives.map((archive) => {
                  const detail = byName.get(archive.name);
                  return {
                    repository_id: request.repositoryId,
                    name: archive.name,
                    borg_id: archive.id,
                    started_at: archive.start,
                    finished_at: detail?.end ?? null,
                    original_bytes: detail?.stats.originalBytes ?? null,
                    compressed_bytes: detail?.stats.compressedBytes ?? null,
                    deduplicated_bytes: detail?.stats.deduplicatedBytes ?? null,
                    files: detail?.stats.files ?? null,
                  };
                }),
              )
              .execute();
          }
          await trx
            .updateTable('repositories')
            .set({
              stats: {
                originalSize: info.totalOriginalBytes,
                compressedSize: info.totalCompressedBytes,
                deduplicatedSize: info.uniqueCompressedBytes,
                archiveCount: archives.length,
              },
              last_archive_at: lastArchiveAt,
              updated_at: new Date(),
            })
            .where('id', '=', request.repositoryId)
            .execute();
          await trx
            .insertInto('repository_size_history')
            .values({
              repository_id: request.repositoryId,
              at: new Date(),
              original_bytes: info.totalOriginalBytes,
              deduplicated_bytes: info.uniqueCompressedBytes,
              archive_count: archives.length,
            })
            .execute();
        });

        return {
          archiveCount: archives.length,
          originalBytes: info.totalOriginalBytes,
          deduplicatedBytes: info.uniqueCompressedBytes,
          lastArchiveAt: lastArchiveAt?.toISOString() ?? null,
        };
      });
    },
  };
}
