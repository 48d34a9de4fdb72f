import { randomUUID } from 'node:crypto';
import { lstat, mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../core/db/schema';
import {
  diffArchives,
  extractArchive,
  listArchiveItems,
  type ArchiveItem,
  type DiffChange,
} from './borg';
import type { ActivityDependencies } from './dependencies';
import { loadBorgRepository } from './repository-access';
import { asTemporalFailure } from './run-errors';

/** Rows per insert: large enough to amortise the round trip, small enough to heartbeat often. */
const INSERT_BATCH_ROWS = 5000;
/** Extracted downloads older than this are removed by the next extraction. */
const DOWNLOAD_MAX_AGE_MS = 60 * 60 * 1000;

export interface ArchiveRequest {
  repositoryId: string;
  archiveName: string;
}

/** One line of an archive comparison, as the UI lists it. */
export interface ArchiveChangeLine {
  path: string;
  change: string;
  sizeDelta?: number;
}

export interface ExtractedFile {
  /** Directory under `DATA_DIR/downloads` holding the file; removed once it was sent. */
  downloadId: string;
  sizeBytes: number;
}

/** Where the worker leaves single files extracted for download. */
export function downloadsDir(dataDir: string): string {
  return path.join(dataDir, 'downloads');
}

/**
 * Archive browsing: an archive's items are copied once into PostgreSQL, so every later listing
 * of a directory is an index lookup instead of a `borg list` over the whole archive.
 */
export function createArchiveIndexActivities(deps: ActivityDependencies) {
  const { db, config } = deps;

  return {
    async indexArchiveItems(request: ArchiveRequest): Promise<{ itemCount: number }> {
      const context = Context.current();
      const repository = await loadBorgRepository(deps, request.repositoryId);
      await dropIndexesOfVanishedArchives(db, request.repositoryId);
      const indexId = await beginIndex(db, request);
      const writer = new ItemWriter(db, indexId);

      try {
        await asTemporalFailure('index archive', async () => {
          const items = listArchiveItems(
            repository,
            { archiveName: request.archiveName },
            { signal: context.cancellationSignal },
          );
          for await (const item of items) {
            if (writer.add(item)) {
              await writer.flushInBackground();
              context.heartbeat({ items: writer.itemCount });
              // The API tells a waiting person how far the indexing got.
              await db
                .updateTable('archive_indexes')
                .set({ item_count: writer.itemCount })
                .where('id', '=', indexId)
                .execute();
            }
          }
          await writer.flushInBackground();
          await writer.settled();
        });
      } catch (error) {
        await db
          .updateTable('archive_indexes')
          .set({ state: 'failed', error: String(error).slice(0, 1000), finished_at: new Date() })
          .where('id', '=', indexId)
          .execute();
        throw error;
      }

      await db
        .updateTable('archive_indexes')
        .set({ state: 'ready', item_count: writer.itemCount, finished_at: new Date() })
        .where('id', '=', indexId)
        .execute();
      return { itemCount: writer.itemCount };
    },

    /** `borg diff`, flattened to one line per path and cut at `maxEntries`. */
    async diffArchiveItems(
      request: ArchiveRequest & { otherArchiveName: string; maxEntries: number },
    ): Promise<{ changes: ArchiveChangeLine[]; isTruncated: boolean }> {
      const repository = await loadBorgRepository(deps, request.repositoryId);
      const signal = Context.current().cancellationSignal;

      const entries = await asTemporalFailure('diff archives', () =>
        diffArchives(
          repository,
          { archiveName: request.archiveName, otherArchiveName: request.otherArchiveName },
          { signal },
        ),
      );
      const changes = entries.slice(0, request.maxEntries).map((entry) => ({
        path: entry.path,
        change: entry.changes.map((change) => change.type).join(', '),
        sizeDelta: sizeDeltaOf(entry.changes),
      }));
      return { changes, isTruncated: entries.length > request.maxEntries };
    },

    /**
     * Extracts one regular file into a fresh directory under DATA_DIR/downloads, for the API to
     * stream when it shares DATA_DIR with this worker.
     */
    async extractArchiveFile(request: ArchiveRequest & { path: string }): Promise<ExtractedFile> {
      const repository = await loadBorgRepository(deps, request.repositoryId);
      const root = downloadsDir(config.dataDir);
      await removeOldDownloads(root);
      const downloadId = randomUUID();
      const targetDir = path.join(root, downloadId);
      await mkdir(targetDir, { recursive: true, mode: 0o700 });

      await asTemporalFailure('extract file', () =>
        extractArchive(
          repository,
          { archiveName: request.archiveName, targetDir, paths: [request.path] },
          { signal: Context.current().cancellationSignal },
        ),
      );
      const file = path.join(targetDir, request.path);
      const stats = await lstat(file).catch(() => undefined);
      if (!stats?.isFile()) {
        await rm(targetDir, { recursive: true, force: true });
        throw ApplicationFailure.nonRetryable(
          `${request.path} is not a regular file in archive ${request.archiveName}`,
          'NOT_A_FILE',
        );
      }
      return { downloadId, sizeBytes: stats.size };
    },
  };
}

/** Collects items into insert batches, adding the directories that tar-made archives omit. */
class ItemWriter {
  itemCount = 0;
  private batch = new Map<string, BatchRow>();
  private inFlight: Promise<void> = Promise.resolve();
  private readonly knownDirectories = new Set<string>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly indexId: string,
  ) {}

  /** Returns true when the batch is full and should be flushed. */
  add(item: ArchiveItem): boolean {
    const itemPath = item.path.replace(/\/+$/, '');
    if (!itemPath) return false;
    this.addMissingParents(itemPath);
    if (item.type === 'd') this.knownDirectories.add(itemPath);
    this.put(itemPath, {
      type: item.type,
      size: item.sizeBytes,
      mtime: Number.isNaN(item.mtime.getTime()) ? null : item.mtime.toISOString(),
    });
    this.itemCount += 1;

    return this.batch.size >= INSERT_BATCH_ROWS;
  }

  /**
   * Hands the batch to PostgreSQL and returns once the previous batch is stored: borg keeps
   * listing while one insert runs, and at most two batches are held in memory.
   */
  async flushInBackground(): Promise<void> {
    if (this.batch.size === 0) return;
    const rows = [...this.batch.values()];
    this.batch = new Map();
    await this.settled();
    this.inFlight = this.insert(rows);
    // Observed here so a failure waits for settled() instead of crashing the process.
    this.inFlight.catch(() => undefined);
  }

  async settled(): Promise<void> {
    await this.inFlight;
  }

  private async insert(rows: BatchRow[]): Promise<void> {
    // unnest turns five arrays into rows: one statement and five parameters per batch.
    await sql`
      insert into archive_items (index_id, parent, name, type, size, mtime)
      select ${this.indexId}::bigint, parent, name, type, size, mtime
      from unnest(
        ${rows.map((row) => row.parent)}::text[],
        ${rows.map((row) => row.name)}::text[],
        ${rows.map((row) => row.type)}::text[],
        ${rows.map((row) => String(row.size))}::bigint[],
        ${rows.map((row) => row.mtime)}::timestamptz[]
      ) as item(parent, name, type, size, mtime)
      on conflict (index_id, parent, name)
      do update set type = excluded.type, size = excluded.size, mtime = excluded.mtime
    `.execute(this.db);
  }

  // Archives made from tar streams, or with patterns, may list a file without its directories.
  private addMissingParents(itemPath: string): void {
    const parts = itemPath.split('/');
    for (let depth = 1; depth < parts.length; depth++) {
      const directory = parts.slice(0, depth).join('/');
      if (this.knownDirectories.has(directory)) continue;
      this.knownDirectories.add(directory);
      this.put(directory, { type: 'd', size: 0, mtime: null });
    }
  }

  private put(itemPath: string, fields: Omit<BatchRow, 'parent' | 'name'>): void {
    const slash = itemPath.lastIndexOf('/');
    const parent = slash < 0 ? '' : itemPath.slice(0, slash);
    const name = itemPath.slice(slash + 1);
    // One statement may not update the same row twice: the later entry of a batch wins.
    this.batch.set(`${parent}\0${name}`, { parent, name, ...fields });
  }
}

interface BatchRow {
  parent: string;
  name: string;
  type: string;
  size: number;
  mtime: string | null;
}

/** Starts a fresh index of the archive; an older one (and its items) is replaced. */
async function beginIndex(db: Kysely<Database>, request: ArchiveRequest): Promise<string> {
  const archive = await db
    .selectFrom('archives')
    .select('borg_id')
    .where('repository_id', '=', request.repositoryId)
    .where('name', '=', request.archiveName)
    .executeTakeFirst();

  return db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('archive_indexes')
      .where('repository_id', '=', request.repositoryId)
      .where('archive_name', '=', request.archiveName)
      .execute();

    const row = await trx
      .insertInto('archive_indexes')
      .values({
        repository_id: request.repositoryId,
        archive_name: request.archiveName,
        borg_id: archive?.borg_id ?? null,
        state: 'indexing',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  });
}

/** Indexes of archives that were deleted or pruned since; their items are useless now. */
async function dropIndexesOfVanishedArchives(db: Kysely<Database>, repositoryId: string) {
  await db
    .deleteFrom('archive_indexes')
    .where('repository_id', '=', repositoryId)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('archives')
            .select('archives.name')
            .whereRef('archives.repository_id', '=', 'archive_indexes.repository_id')
            .whereRef('archives.name', '=', 'archive_indexes.archive_name'),
        ),
      ),
    )
    .execute();
}

function sizeDeltaOf(changes: DiffChange[]): number | undefined {
  let delta: number | undefined;
  for (const change of changes) {
    if (change.type === 'modified') {
      const { addedBytes, removedBytes } = change as { addedBytes: number; removedBytes: number };
      delta = (delta ?? 0) + addedBytes - removedBytes;
    } else if (change.type === 'added' || change.type === 'removed') {
      const size = (change as { sizeBytes: number }).sizeBytes;
      delta = (delta ?? 0) + (change.type === 'added' ? size : -size);
    }
  }
  return delta;
}

async function removeOldDownloads(root: string): Promise<void> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  const entries = await readdir(root);
  const cutoff = Date.now() - DOWNLOAD_MAX_AGE_MS;
  for (const entry of entries) {
    const full = path.join(root, entry);
    const info = await stat(full).catch(() => undefined);
    if (info && info.mtimeMs < cutoff) await rm(full, { recursive: true, force: true });
  }
}
