import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ulid } from 'ulid';
import type { BrowsedTree, DirectoryListing } from '../../activities/filesystem';
import { isWithin, PathNotAllowedError } from '../../core/paths';
import type { RouteDependencies } from '../auth/services';
import { ApiError } from '../errors';
import { callWorker, toApiError, WorkerCallError } from '../runs/worker-calls';
import { alwaysSent, withErrorResponses } from '../schemas/common';

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

/** A folder picker waits this long for the worker's listing. */
const LISTING_WAIT_SECONDS = 20;
const NOT_FOUND_TYPES = { NOT_FOUND: 'NOT_FOUND', FORBIDDEN: 'FORBIDDEN' } as const;

/**
 * Browsing the worker's file tree: under SOURCE_ROOTS to pick backup sources (admin: it reveals
 * the tree), and the folders under RESTORE_ROOTS to pick a restore target (operator, who may
 * restore there anyway). The worker lists them, since the API may not see those trees at all.
 */
export async function filesystemRoutes(
  app: FastifyInstance,
  deps: RouteDependencies,
): Promise<void> {
  const { config, temporal } = deps;

  app.get<{ Querystring: { path?: string } }>(
    '/api/filesystem',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['filesystem'],
        summary: 'List a directory under SOURCE_ROOTS (no path: the roots themselves)',
        description:
          'Admin only: it reveals the file tree. A worker lists it, as it sees the tree it backs up.',
        querystring: querySchema,
        response: withErrorResponses({ 200: listingSchema }),
      },
    },
    (request) => listOnWorker('sources', config.sourceRoots, request.query.path),
  );

  app.get<{ Querystring: { path?: string } }>(
    '/api/filesystem/restore-targets',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['filesystem'],
        summary: 'List the folders of a directory under RESTORE_ROOTS (no path: the roots)',
        description: 'Folders only, to choose where a restore goes; a worker lists them.',
        querystring: querySchema,
        response: withErrorResponses({ 200: listingSchema }),
      },
    },
    (request) => listOnWorker('restores', config.restoreRoots, request.query.path),
  );

  /** The roots need no worker; a directory is listed by one, after a first check of its path. */
  async function listOnWorker(tree: BrowsedTree, roots: string[], requested?: string) {
    if (!requested) {
      const entries = roots.map((root) => ({ name: root, path: root, type: 'directory' as const }));
      return { path: '', roots, entries, truncated: false };
    }
    // Written outside every root, it is refused here; links are resolved where they exist.
    if (!roots.some((root) => isWithin(path.resolve(requested), root))) {
      throw new PathNotAllowedError('path', requested, roots);
    }

    return callWorker<DirectoryListing>(temporal, config, {
      workflowType: 'browseWorkerDirectory',
      workflowId: `browse-${tree}-${ulid()}`,
      args: [{ tree, path: requested }],
      timeoutSeconds: LISTING_WAIT_SECONDS,
    }).catch((error: unknown) => {
      if (error instanceof WorkerCallError && error.type === 'PATH_NOT_ALLOWED') {
        throw new ApiError('PATH_NOT_ALLOWED', error.message, { field: 'querystring.path' });
      }
      throw toApiError(error, NOT_FOUND_TYPES);
    });
  }
}
