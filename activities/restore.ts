import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { PathNotAllowedError, resolveWithinRoots } from '../core/paths';
import { extractArchive, listArchiveItems, type BorgRepository, type BorgWarning } from './borg';
import type { ActivityDependencies } from './dependencies';
import { loadBorgRepository } from './repository-access';
import { asTemporalFailure } from './run-errors';
import { createRunLog } from './run-log';
import { createProgressReporter } from './run-progress';

export interface RestoreRequest {
  runId: string;
  repositoryId: string;
  archive: string;
  paths: string[];
  target: string;
  stripComponents?: number;
  /**
   * The run's `prepare target` step already found the target new or empty. Whatever is there now
   * is this run's own output from an attempt a crash or failure cut short, which borg may
   * overwrite.
   */
  isTargetPrepared?: boolean;
}

export interface RestoreOutcome {
  status: 'success' | 'warning';
  target: string;
  warnings: BorgWarning[];
}

function refuse(message: string): never {
  throw ApplicationFailure.nonRetryable(message, 'RESTORE_REFUSED');
}

/** An archive path as borg stores it: relative, without `.` or `..` parts. */
export function archivePathProblem(archivePath: string): string | undefined {
  if (archivePath.includes('\0')) return 'contains a NUL byte';
  if (archivePath.startsWith('/')) return 'is absolute; archive paths are relative';
  if (archivePath.split('/').some((part) => part === '..' || part === '.')) {
    return 'contains "." or ".." parts';
  }
  return undefined;
}

/**
 * Restores selected paths into a target under RESTORE_ROOTS. Borg follows symbolic links in the
 * directories it writes into, so before extracting this refuses archives whose items would be
 * written through a symlink (an item below a symlink item), items with `..` in their path, and
 * targets that are not new or empty directories.
 */
export function createRestoreActivities(deps: ActivityDependencies) {
  const { db, config } = deps;

  return {
    /**
     * Checks once per run that the target is under RESTORE_ROOTS and new or empty, and creates
     * it: Borgflow never restores over files it did not write itself.
     */
    async prepareRestoreTarget(request: { target: string }): Promise<{ target: string }> {
      const target = await allowedTarget(request.target, config.restoreRoots);
      await requireEmpty(target);
      await mkdir(target, { recursive: true, mode: 0o750 });
      return { target };
    },

    async restoreArchiveStep(request: RestoreRequest): Promise<RestoreOutcome> {
      for (const requested of request.paths) {
        const problem = archivePathProblem(requested);
        if (problem) refuse(`restore path "${requested}" ${problem}`);
      }
      const target = await allowedTarget(request.target, config.restoreRoots);
      if (!request.isTargetPrepared) await requireEmpty(target);
      const repository = await loadBorgRepository(deps, request.repositoryId);

      // One wrapper for both borg commands: a wrong passphrase met while listing is as permanent
      // as one met while extracting, and must not be retried.
      return asTemporalFailure('restore files', async () => {
        await assertNoItemBelowSymlink(repository, request);
        await mkdir(target, { recursive: true, mode: 0o750 });
        const result = await extractArchive(
          repository,
          {
            archiveName: request.archive,
            targetDir: target,
            paths: request.paths,
            stripComponents: request.stripComponents,
          },
          {
            log: createRunLog(db, request.runId, deps.logger),
            signal: Context.current().cancellationSignal,
            onProgress: createProgressReporter(db, request.runId, 'extract'),
          },
        );
        return { status: result.status, target, warnings: result.warnings };
      });
    },
  };
}

async function allowedTarget(candidate: string, roots: readonly string[]): Promise<string> {
  try {
    return path.resolve(await resolveWithinRoots(candidate, roots, 'restore target'));
  } catch (error) {
    if (error instanceof PathNotAllowedError) refuse(error.message);
    throw error;
  }
}

async function requireEmpty(target: string): Promise<void> {
  const entries = await readdir(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    if (error.code === 'ENOTDIR') refuse(`restore target ${target} is not a directory`);
    throw error;
  });
  if (entries.length > 0) {
    refuse(`restore target ${target} is not empty; restore into a new or empty folder`);
  }
}

async function assertNoItemBelowSymlink(repository: BorgRepository, request: RestoreRequest) {
  const symlinks = new Set<string>();
  const signal = Context.current().cancellationSignal;
  const prefixes = request.paths.length > 0 ? request.paths : [undefined];
  for (const pathPrefix of prefixes) {
    const items = listArchiveItems(
      repository,
      { archiveName: request.archive, pathPrefix },
      { signal },
    );
    for await (const item of items) {
      const problem = archivePathProblem(item.path);
      if (problem) refuse(`archive item "${item.path}" ${problem}`);
      const parts = item.path.split('/');
      for (let depth = 1; depth < parts.length; depth++) {
        const ancestor = parts.slice(0, depth).join('/');
        if (symlinks.has(ancestor)) {
          refuse(`archive item "${item.path}" lies below the symbolic link "${ancestor}"`);
        }
      }
      if (item.type === 'l') symlinks.add(item.path);
    }
  }
}
