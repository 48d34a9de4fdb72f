import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { resolveWithinRoots } from '../../core/paths';
import type { RouteDependencies } from '../auth/services';
import { ApiError } from '../errors';
import { alwaysSent, withErrorResponses } from '../schemas/common';

interface Entry {
  name: string;
  path: string;
  type: 'directory' | 'file';
}

/** A listing this long is a data directory, not something to pick a source from by eye. */
const MAX_ENTRIES = 5000;

const querySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    path: {
      type: 'string',
      minLength: 1,
      maxLength: 4096,
      pattern: '^/[^\\u0000-\\u001f\\u007f]*$',
    },
  },
} as const;

const listingSchema = {
  type: 'object',
  required: ['path', 'roots', 'entries', 'truncated'],
  properties: {
    path: { type: 'string', description: 'The directory listed; empty for the roots.' },
    roots: { type: 'array', items: { type: 'string' } },
    entries: {
      type: 'array',
      items: alwaysSent({
        properties: {
          name: { type: 'string' },
          path: { type: 'string' },
          type: { type: 'string', enum: ['directory', 'file'] },
        },
      }),
    },
    truncated: { type: 'boolean' },
  },
} as const;

/**
 * Browsing the API host's file tree: under SOURCE_ROOTS to pick backup sources (admin: it reveals
 * the tree), and the folders under RESTORE_ROOTS to pick a restore target (operator, who may
 * restore there anyway).
 */
export async function filesystemRoutes(
  app: FastifyInstance,
  deps: RouteDependencies,
): Promise<void> {
  const { sourceRoots, restoreRoots } = deps.config;

  app.get<{ Querystring: { path?: string } }>(
    '/api/filesystem',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['filesystem'],
        summary: 'List a directory under SOURCE_ROOTS (no path: the roots themselves)',
        description:
          'Admin only: it reveals the file tree. Lists what this API host sees, which is the worker’s view only when both run on the same machine.',
        querystring: querySchema,
        response: withErrorResponses({ 200: listingSchema }),
      },
    },
    (request) => listDirectory(request.query.path, sourceRoots, { directoriesOnly: false }),
  );

  app.get<{ Querystring: { path?: string } }>(
    '/api/filesystem/restore-targets',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['filesystem'],
        summary: 'List the folders of a directory under RESTORE_ROOTS (no path: the roots)',
        description:
          'Folders only, to choose where a restore goes; as with /api/filesystem, this is the API host’s view.',
        querystring: querySchema,
        response: withErrorResponses({ 200: listingSchema }),
      },
    },
    (request) => listDirectory(request.query.path, restoreRoots, { directoriesOnly: true }),
  );
}

/** One directory under `roots`, folders first; no path lists the roots themselves. */
async function listDirectory(
  requested: string | undefined,
  roots: string[],
  { directoriesOnly }: { directoriesOnly: boolean },
) {
  if (!requested) {
    const entries = roots.map((root) => ({ name: root, path: root, type: 'directory' as const }));
    return { path: '', roots, entries, truncated: false };
  }
  const directory = await resolveWithinRoots(requested, roots, 'path');
  const listed = await readdir(directory, { withFileTypes: true }).catch((error: unknown) => {
    throw unreadable(error, requested);
  });

  const entries: Entry[] = [];
  for (const dirent of listed.slice(0, MAX_ENTRIES)) {
    const full = path.join(directory, dirent.name);
    // Links are shown as what they point to; a dangling link is left out.
    const isDirectory = dirent.isSymbolicLink()
      ? await stat(full).then(
          (target) => target.isDirectory(),
          () => undefined,
        )
      : dirent.isDirectory();
    if (isDirectory === undefined || (directoriesOnly && !isDirectory)) continue;
    entries.push({ name: dirent.name, path: full, type: isDirectory ? 'directory' : 'file' });
  }
  entries.sort(
    (a, b) =>
      Number(b.type === 'directory') - Number(a.type === 'directory') ||
      a.name.localeCompare(b.name),
  );
  return { path: directory, roots, entries, truncated: listed.length > MAX_ENTRIES };
}

function unreadable(error: unknown, requested: string): ApiError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new ApiError('NOT_FOUND', `No directory ${requested}.`);
  if (code === 'ENOTDIR')
    return new ApiError('VALIDATION_FAILED', `${requested} is not a directory.`);
  if (code === 'EACCES') return new ApiError('FORBIDDEN', `The server may not read ${requested}.`);
  throw error;
}
