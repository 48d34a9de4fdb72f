import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { ulid } from 'ulid';
import {
  downloadsDir,
  type ArchiveChangeLine,
  type ExtractedFile,
} from '../../activities/archive-index';
import type { ArchiveIndexRow, ArchiveItemRow, ArchiveRow } from '../../core/db/schema';
import { isWithin } from '../../core/paths';
import { recordAudit } from '../audit';
import type { RouteDependencies } from '../auth/services';
import { ApiError } from '../errors';
import { idempotencyKeyOf, requesterOf, triggerOf } from '../runs/requester';
import { createRunLauncher } from '../runs/run-launcher';
import { toRunResponse } from '../runs/run-response';
import { callWorker, toApiError } from '../runs/worker-calls';
import { idParamsSchema, withErrorResponses } from '../schemas/common';
import {
  archiveDiffQuerySchema,
  archiveDiffSchema,
  archiveFileQuerySchema,
  archiveItemsQuerySchema,
  archiveItemsSchema,
  archiveListSchema,
  archiveParamsSchema,
  archiveSearchQuerySchema,
} from '../schemas/repositories';
import { runEnvelopeSchema } from '../schemas/runs';

type ArchiveParams = { Params: { id: string; archive: string } };

/** After a first listing's wait ran out (ARCHIVE_INDEX_WAIT_SECONDS), when to ask again. */
const INDEX_RETRY_AFTER_SECONDS = 3;
const FILE_WAIT_SECONDS = 15 * 60;
const DIFF_WAIT_SECONDS = 5 * 60;
/** Temporal carries the diff back: stay well below its 2 MB payload limit. */
const MAX_DIFF_ENTRIES = 2000;
const NOT_FOUND_TYPES = { ARCHIVE_NOT_FOUND: 'NOT_FOUND', NOT_A_FILE: 'NOT_FOUND' } as const;
const tags = ['archives'];

/**
 * Archives of a repository: the list the workflows keep fresh, browsing through a per-archive
 * index in PostgreSQL, single-file download, comparison and deletion.
 */
export async function archiveRoutes(app: FastifyInstance, deps: RouteDependencies): Promise<void> {
  const { db, config, temporal } = deps;
  const launcher = createRunLauncher(deps);

  app.get<{ Params: { id: string } }>(
    '/api/repositories/:id/archives',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: 'The repository’s archives as last read by a worker, newest first',
        params: idParamsSchema,
        response: withErrorResponses({ 200: archiveListSchema }),
      },
    },
    async (request) => {
      await requireRepository(request.params.id);
      const rows = await db
        .selectFrom('archives')
        .selectAll()
        .where('repository_id', '=', request.params.id)
        .orderBy('started_at', 'desc')
        .execute();

      return { archives: rows.map(toArchiveResponse) };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { from: string; to: string } }>(
    '/api/repositories/:id/archives/diff',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: 'What changed between two archives (at most 2000 paths)',
        params: idParamsSchema,
        querystring: archiveDiffQuerySchema,
        response: withErrorResponses({ 200: archiveDiffSchema }),
      },
    },
    async (request) => {
      const { id } = request.params;
      const { from, to } = request.query;
      await requireArchive(id, from);
      await requireArchive(id, to);

      const result = await callWorker<{ changes: ArchiveChangeLine[]; isTruncated: boolean }>(
        temporal,
        config,
        {
          workflowType: 'diffRepositoryArchives',
          workflowId: `diff-archives-${id}-${ulid()}`,
          args: [
            {
              repositoryId: id,
              archiveName: from,
              otherArchiveName: to,
              maxEntries: MAX_DIFF_ENTRIES,
            },
          ],
          timeoutSeconds: DIFF_WAIT_SECONDS,
          repositoryId: id,
        },
      ).catch((error: unknown) => {
        throw toApiError(error, NOT_FOUND_TYPES);
      });
      return { from, to, changes: result.changes, truncated: result.isTruncated };
    },
  );

  app.delete<ArchiveParams>(
    '/api/repositories/:id/archives/:archive',
    {
      config: { access: 'operator' },
      schema: {
        tags,
        summary: 'Delete one archive (then compact); answers with the run doing it',
        params: archiveParamsSchema,
        response: withErrorResponses({ 202: runEnvelopeSchema }),
      },
    },
    async (request, reply) => {
      const { id, archive } = request.params;
      await requireRepository(id);

      const { run, isExisting } = await launcher.startRun({
        kind: 'delete-archive',
        input: { repositoryId: id, archive, trigger: triggerOf(request) },
        requestedBy: requesterOf(request),
        idempotencyKey: idempotencyKeyOf(request),
      });

      if (!isExisting) {
        await recordAudit(
          db,
          {
            action: 'run.start',
            target: `repository:${id}`,
            outcome: 'success',
            details: { runId: run.id, kind: 'delete-archive', archive },
          },
          request,
        );
      }
      return reply.status(202).send({ run: toRunResponse(run, config) });
    },
  );

  app.get<ArchiveParams & { Querystring: { path: string; cursor?: string; limit: number } }>(
    '/api/repositories/:id/archives/:archive/items',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: 'One directory level of an archive, by name, a page at a time',
        description:
          'The first request for an archive indexes its items on a worker and waits for that (`ARCHIVE_INDEX_WAIT_SECONDS`, 20 s by default); if indexing takes longer the answer is 503 with a `Retry-After` header and `indexedItems`, the count so far, while indexing goes on. Later requests are index lookups.',
        params: archiveParamsSchema,
        querystring: archiveItemsQuerySchema,
        response: withErrorResponses({ 200: archiveItemsSchema }),
      },
    },
    async (request, reply) => {
      const { id, archive } = request.params;
      const directory = request.query.path.replace(/^\/+|\/+$/g, '');
      const { limit } = request.query;
      const after = request.query.cursor ? decodeName(request.query.cursor) : undefined;
      const index = await readyIndex(await requireArchive(id, archive)).catch((error: unknown) => {
        if (error instanceof IndexingError) reply.header('retry-after', INDEX_RETRY_AFTER_SECONDS);
        throw error;
      });

      let query = db
        .selectFrom('archive_items')
        .select(['name', 'type', 'size', 'mtime'])
        .where('index_id', '=', index.id)
        .where('parent', '=', directory)
        .orderBy('name')
        .limit(limit + 1);
      if (after !== undefined) query = query.where('name', '>', after);
      const rows = await query.execute();

      if (rows.length === 0 && directory !== '') await requireDirectory(index.id, directory);
      const page = rows.slice(0, limit);
      return {
        items: page.map((row) => toItemResponse(directory, row)),
        nextCursor: rows.length > limit ? encodeName(page.at(-1)!.name) : null,
      };
    },
  );

  app.get<ArchiveParams & { Querystring: { name: string; cursor?: string; limit: number } }>(
    '/api/repositories/:id/archives/:archive/search',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: 'Items anywhere in an archive whose name contains a text, by folder and name',
        description:
          'Case-insensitive; a page at a time. Indexes the archive first, as a listing does (503 with `Retry-After` while that runs).',
        params: archiveParamsSchema,
        querystring: archiveSearchQuerySchema,
        response: withErrorResponses({ 200: archiveItemsSchema }),
      },
    },
    async (request, reply) => {
      const { id, archive } = request.params;
      const { name: needle, limit } = request.query;
      const after = request.query.cursor ? decodeSearchCursor(request.query.cursor) : undefined;
      const index = await readyIndex(await requireArchive(id, archive)).catch((error: unknown) => {
        if (error instanceof IndexingError) reply.header('retry-after', INDEX_RETRY_AFTER_SECONDS);
        throw error;
      });

      // Walks the primary key in (parent, name) order and stops at `limit` matches, so a common
      // text answers at once; a rare one reads all the archive's rows (bench/archive-browse.ts).
      let query = db
        .selectFrom('archive_items')
        .select(['parent', 'name', 'type', 'size', 'mtime'])
        .where('index_id', '=', index.id)
        // The column's byte-order collation folds only ASCII letters; the database's own one
        // folds Ü and ü, or Σ and σ, alike.
        .where(
          sql<string>`lower(name collate "default")`,
          'like',
          sql<string>`lower(${`%${escapeLikePattern(needle)}%`} collate "default")`,
        )
        .orderBy('parent')
        .orderBy('name')
        .limit(limit + 1);
      if (after) {
        query = query.where((eb) =>
          eb(eb.refTuple('parent', 'name'), '>', eb.tuple(after.parent, after.name)),
        );
      }
      const rows = await query.execute();

      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map((row) => toItemResponse(row.parent, row)),
        nextCursor: rows.length > limit && last ? encodeSearchCursor(last) : null,
      };
    },
  );

  app.get<ArchiveParams & { Querystring: { path: string } }>(
    '/api/repositories/:id/archives/:archive/file',
    {
      config: { access: 'operator' },
      schema: {
        tags,
        summary: 'Download one file of an archive',
        description:
          'A worker extracts the file under DATA_DIR; the API streams it from there, so this needs a worker that shares DATA_DIR with the API (503 otherwise).',
        params: archiveParamsSchema,
        querystring: archiveFileQuerySchema,
      },
    },
    async (request, reply) => {
      const { id, archive } = request.params;
      const filePath = request.query.path;
      await requireArchive(id, archive);

      const extracted = await callWorker<ExtractedFile>(temporal, config, {
        workflowType: 'fetchArchiveFile',
        workflowId: `fetch-file-${id}-${ulid()}`,
        args: [{ repositoryId: id, archiveName: archive, path: filePath }],
        timeoutSeconds: FILE_WAIT_SECONDS,
        repositoryId: id,
      }).catch((error: unknown) => {
        throw toApiError(error, NOT_FOUND_TYPES);
      });
      const directory = path.join(downloadsDir(config.dataDir), extracted.downloadId);
      const file = path.join(directory, filePath);
      const isLocal =
        isWithin(file, directory) && (await stat(file).catch(() => undefined))?.isFile();
      if (!isLocal) {
        throw new ApiError(
          'SERVICE_UNAVAILABLE',
          'The worker extracted the file on another host: downloads need a worker sharing DATA_DIR with the API.',
        );
      }

      await recordAudit(
        db,
        {
          action: 'archive.download',
          target: `repository:${id}`,
          outcome: 'success',
          details: { archive, path: filePath },
        },
        request,
      );
      reply.raw.on('close', () => void rm(directory, { recursive: true, force: true }));
      return reply
        .type('application/octet-stream')
        .header(
          'content-disposition',
          `attachment; filename*=UTF-8''${encodeURIComponent(path.basename(filePath))}`,
        )
        .header('content-length', extracted.sizeBytes)
        .send(createReadStream(file));
    },
  );

  /** The archive's index, built now (on a worker) when it is missing, stale or failed. */
  async function readyIndex(archive: ArchiveRow): Promise<ArchiveIndexRow> {
    const existing = await findIndex(archive);
    const isCurrent = existing && (!existing.borg_id || existing.borg_id === archive.borg_id);
    if (existing?.state === 'ready' && isCurrent) return existing;

    const digest = createHash('sha256').update(`${archive.name}\0${archive.borg_id}`).digest('hex');
    await callWorker(temporal, config, {
      workflowType: 'indexArchive',
      workflowId: `index-archive-${archive.repository_id}-${digest.slice(0, 24)}`,
      args: [{ repositoryId: archive.repository_id, archiveName: archive.name }],
      timeoutSeconds: config.archiveIndexWaitSeconds,
      repositoryId: archive.repository_id,
      isShared: true,
    }).catch(async (error: unknown) => {
      const indexing = await findIndex(archive);
      if (indexing?.state === 'indexing') {
        const count = Number(indexing.item_count ?? 0);
        throw new IndexingError(
          `Archive ${archive.name} is being prepared for browsing: ${count.toLocaleString('en')} items so far.`,
          { indexedItems: count },
        );
      }
      throw toApiError(error, NOT_FOUND_TYPES);
    });
    const built = await findIndex(archive);

    if (built?.state !== 'ready') {
      throw new ApiError('SERVICE_UNAVAILABLE', `Archive ${archive.name} could not be indexed.`);
    }
    return built;
  }

  async function findIndex(archive: ArchiveRow): Promise<ArchiveIndexRow | undefined> {
    return db
      .selectFrom('archive_indexes')
      .selectAll()
      .where('repository_id', '=', archive.repository_id)
      .where('archive_name', '=', archive.name)
      .executeTakeFirst();
  }

  async function requireDirectory(indexId: string, directory: string): Promise<void> {
    const slash = directory.lastIndexOf('/');
    const entry = await db
      .selectFrom('archive_items')
      .select('type')
      .where('index_id', '=', indexId)
      .where('parent', '=', slash < 0 ? '' : directory.slice(0, slash))
      .where('name', '=', directory.slice(slash + 1))
      .executeTakeFirst();

    if (!entry) throw new ApiError('NOT_FOUND', `The archive has no directory ${directory}.`);
    if (entry.type !== 'd')
      throw new ApiError('VALIDATION_FAILED', `${directory} is not a directory.`);
  }

  async function requireArchive(repositoryId: string, name: string): Promise<ArchiveRow> {
    await requireRepository(repositoryId);
    const archive = await db
      .selectFrom('archives')
      .selectAll()
      .where('repository_id', '=', repositoryId)
      .where('name', '=', name)
      .executeTakeFirst();
    if (archive) return archive;

    // Deleted or pruned since it was indexed: its index is of no use any more.
    await db
      .deleteFrom('archive_indexes')
      .where('repository_id', '=', repositoryId)
      .where('archive_name', '=', name)
      .execute();
    throw new ApiError('NOT_FOUND', `Repository ${repositoryId} has no archive ${name}.`);
  }

  async function requireRepository(id: string): Promise<void> {
    const row = await db
      .selectFrom('repositories')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst();

    if (!row) throw new ApiError('NOT_FOUND', `No repository with id ${id}.`);
  }
}

function toArchiveResponse(row: ArchiveRow) {
  const size = (value: string | null) => (value === null ? null : Number(value));
  return {
    name: row.name,
    id: row.borg_id,
    start: row.started_at.toISOString(),
    end: row.finished_at?.toISOString() ?? null,
    originalSize: size(row.original_bytes),
    compressedSize: size(row.compressed_bytes),
    deduplicatedSize: size(row.deduplicated_bytes),
    files: size(row.files),
  };
}

function toItemResponse(
  parent: string,
  row: Pick<ArchiveItemRow, 'name' | 'type' | 'size' | 'mtime'>,
) {
  return {
    path: parent ? `${parent}/${row.name}` : row.name,
    name: row.name,
    type: row.type,
    size: Number(row.size),
    mtime: row.mtime?.toISOString() ?? null,
  };
}

/** `%`, `_` and a backslash typed by a person are letters to find, not LIKE wildcards. */
function escapeLikePattern(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

function encodeSearchCursor(row: { parent: string; name: string }): string {
  return encodeName(JSON.stringify([row.parent, row.name]));
}

function decodeSearchCursor(cursor: string): { parent: string; name: string } {
  let position: unknown;
  try {
    position = JSON.parse(decodeName(cursor));
  } catch {
    position = undefined;
  }
  if (Array.isArray(position) && position.length === 2) {
    const [parent, name] = position as unknown[];
    if (typeof parent === 'string' && typeof name === 'string') return { parent, name };
  }
  throw new ApiError('VALIDATION_FAILED', 'cursor: not a cursor this API handed out.', {
    field: 'querystring.cursor',
  });
}

function encodeName(name: string): string {
  return Buffer.from(name, 'utf8').toString('base64url');
}

function decodeName(cursor: string): string {
  const name = Buffer.from(cursor, 'base64url').toString('utf8');
  // PostgreSQL text cannot hold NUL; no name this API handed out contains one.
  if (name.includes('\0')) {
    throw new ApiError('VALIDATION_FAILED', 'cursor: not a cursor this API handed out.', {
      field: 'querystring.cursor',
    });
  }
  return name;
}

/** A first indexing still running after the wait: the client is told to come back shortly. */
class IndexingError extends ApiError {
  constructor(message: string, details: { indexedItems: number }) {
    super('SERVICE_UNAVAILABLE', message, details);
  }
}
