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
    async restoreArchiveStep(request: RestoreRequest): Promise<RestoreOutcome> {
      for (const requested of request.paths) {
        const problem = archivePathProblem(requested);
        if (problem) refuse(`restore path "${requested}" ${problem}`);
      }
      const target = await checkedTarget(request.target, config.restoreRoots);
      const repository = await loadBorgRepository(deps, request.repositoryId);
      await assertNoItemBelowSymlink(repository, request);
      await mkdir(target, { recursive: true, mode: 0o750 });

      return asTemporalFailure('restore files', async () => {
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

async function checkedTarget(candidate: string, roots: readonly string[]): Promise<string> {
  let target: string;
  try {
    target = await resolveWithinRoots(candidate, roots, 'restore target');
  } catch (error) {
    if (error instanceof PathNotAllowedError) refuse(error.message);
    throw error;
  }
  const entries = await readdir(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    if (error.code === 'ENOTDIR') refuse(`restore target ${target} is not a directory`);
    throw error;
  });
  if (entries.length > 0) {
    refuse(`restore target ${target} is not empty; restore into a new or empty folder`);
  }

  return path.resolve(target);
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
