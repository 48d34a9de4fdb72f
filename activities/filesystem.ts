import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { PathNotAllowedError, resolveWithinRoots } from '../core/paths';
import type { ActivityDependencies } from './dependencies';

/** A listing this long is a data directory, not something to pick a folder from by eye. */
const MAX_ENTRIES = 5000;

/** Which of the worker's trees a person browses: backup sources, or where restores may go. */
export type BrowsedTree = 'sources' | 'restores';

export interface DirectoryEntry {
  name: string;
  path: string;
  type: 'directory' | 'file';
}

export interface DirectoryListing {
  /** The directory listed, as the worker resolved it. */
  path: string;
  roots: string[];
  entries: DirectoryEntry[];
  truncated: boolean;
}

/**
 * Lists directories as the worker sees them: the worker reads the sources and writes the restores,
 * and in a container or on another host the API does not see those trees at all.
 */
export function createFilesystemActivities({ config }: ActivityDependencies) {
  const rootsOf = (tree: BrowsedTree) =>
    tree === 'sources' ? config.sourceRoots : config.restoreRoots;

  return {
    async listWorkerDirectory(request: {
      tree: BrowsedTree;
      path: string;
    }): Promise<DirectoryListing> {
      const roots = rootsOf(request.tree);
      const directory = await resolveWithinRoots(request.path, roots, 'path').catch(
        (error: unknown) => {
          if (!(error instanceof PathNotAllowedError)) throw error;
          throw ApplicationFailure.nonRetryable(error.message, 'PATH_NOT_ALLOWED');
        },
      );
      const listed = await readdir(directory, { withFileTypes: true }).catch((error: unknown) => {
        throw unreadable(error, request.path);
      });

      const entries: DirectoryEntry[] = [];
      for (const dirent of listed.slice(0, MAX_ENTRIES)) {
        const full = path.join(directory, dirent.name);
        // Links are shown as what they point to; a dangling link is left out.
        const isDirectory = dirent.isSymbolicLink()
          ? await stat(full).then(
              (target) => target.isDirectory(),
              () => undefined,
            )
          : dirent.isDirectory();
        // A restore goes into a folder: its files are of no use to choose one.
        if (isDirectory === undefined || (request.tree === 'restores' && !isDirectory)) continue;
        entries.push({ name: dirent.name, path: full, type: isDirectory ? 'directory' : 'file' });
      }
      entries.sort(
        (a, b) =>
          Number(b.type === 'directory') - Number(a.type === 'directory') ||
          a.name.localeCompare(b.name),
      );
      return { path: directory, roots, entries, truncated: listed.length > MAX_ENTRIES };
    },
  };
}

function unreadable(error: unknown, requested: string): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return ApplicationFailure.nonRetryable(`No directory ${requested} on the worker.`, 'NOT_FOUND');
  }
  if (code === 'ENOTDIR') {
    return ApplicationFailure.nonRetryable(`${requested} is not a directory.`, 'NOT_A_DIRECTORY');
  }
  if (code === 'EACCES') {
    return ApplicationFailure.nonRetryable(`The worker may not read ${requested}.`, 'FORBIDDEN');
  }
  return error as Error;
}
