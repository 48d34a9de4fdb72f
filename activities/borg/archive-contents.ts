import { mkdir } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  archiveLocation,
  checkedArchiveName,
  parseBorgTime,
  pathPrefixPatterns,
} from './borg-json';
import { runBorg, startBorg } from './borg-process';
import { BorgError } from './errors';
import type {
  ArchiveItem,
  BorgCommandResult,
  BorgRepository,
  BorgRunOptions,
  DiffChange,
  DiffEntry,
} from './types';

export interface ListArchiveItemsRequest {
  archiveName: string;
  /** Only items at or below this path inside the archive. */
  pathPrefix?: string;
}

interface RawArchiveItem {
  type: string;
  mode: string;
  user: string;
  group: string;
  uid: number;
  gid: number;
  path: string;
  healthy: boolean;
  linktarget: string;
  size?: number;
  mtime: string;
}

/**
 * Streams the items of an archive without holding them in memory: borg writes one JSON line per
 * item and is held back while the consumer is busy. Stopping the iteration stops borg.
 */
export async function* listArchiveItems(
  { target, environment }: BorgRepository,
  request: ListArchiveItemsRequest,
  options?: BorgRunOptions,
): AsyncGenerator<ArchiveItem> {
  const running = await startBorg({
    command: ['list'],
    args: [
      '--json-lines',
      '--',
      archiveLocation(target, request.archiveName),
      ...pathPrefixPatterns(request.pathPrefix ? [request.pathPrefix] : []),
    ],
    target,
    environment,
    options,
  });

  let hasFinished = false;
  try {
    for await (const line of readLines(running.stdout)) {
      yield toArchiveItem(JSON.parse(line) as RawArchiveItem);
    }
    await running.completion;
    hasFinished = true;
  } finally {
    if (!hasFinished) {
      running.stop();
      await running.completion.catch(() => undefined);
    }
  }
}

function toArchiveItem(raw: RawArchiveItem): ArchiveItem {
  return {
    path: raw.path,
    type: raw.type,
    mode: raw.mode,
    user: raw.user,
    group: raw.group,
    uid: raw.uid,
    gid: raw.gid,
    sizeBytes: raw.size ?? 0,
    mtime: parseBorgTime(raw.mtime),
    linkTarget: raw.linktarget,
    isHealthy: raw.healthy,
  };
}

// Borg flushes stdout after every line, so a fast reader gets one line per read. Pausing briefly
// after a small read lets lines collect in the pipe: at borg's pace of a few MB/s, a few ms fill
// far less than the 64 KiB pipe buffer, so borg never waits for it.
const SMALL_READ_BYTES = 16 * 1024;
const COALESCE_DELAY_MS = 5;

// Pulling chunk by chunk keeps backpressure: borg blocks on a full pipe while the consumer works.
async function* readLines(stream: Readable): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  for await (const chunk of stream) {
    pending += decoder.write(chunk as Buffer);
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    yield* lines.filter((line) => line.length > 0);
    if ((chunk as Buffer).length < SMALL_READ_BYTES) await sleep(COALESCE_DELAY_MS);
  }
  pending += decoder.end();
  if (pending) yield pending;
}

export interface ExtractArchiveRequest {
  archiveName: string;
  /** Directory that receives the files; created when missing. */
  targetDir: string;
  /** Paths inside the archive to restore; everything when omitted. */
  paths?: string[];
  /** Leading path elements to drop from every restored path. */
  stripComponents?: number;
}

/** Restores files from an archive into `targetDir`; borg always extracts into its working directory. */
export async function extractArchive(
  { target, environment }: BorgRepository,
  request: ExtractArchiveRequest,
  options?: BorgRunOptions,
): Promise<BorgCommandResult> {
  await mkdir(request.targetDir, { recursive: true });

  const strip = request.stripComponents;
  const result = await runBorg({
    command: ['extract'],
    args: [
      ...(strip ? ['--strip-components', `${strip}`] : []),
      '--',
      archiveLocation(target, request.archiveName),
      ...pathPrefixPatterns(request.paths),
    ],
    target,
    environment,
    options,
    reportsProgress: true,
    cwd: request.targetDir,
  });

  return { status: result.status, warnings: result.warnings };
}

export interface ExportTarRequest {
  archiveName: string;
  /** Paths inside the archive to include; everything when omitted. */
  paths?: string[];
}

/** Writes an archive, or part of it, as an uncompressed tar stream to `destination`. */
export async function exportTar(
  { target, environment }: BorgRepository,
  request: ExportTarRequest,
  destination: Writable,
  options?: BorgRunOptions,
): Promise<BorgCommandResult> {
  const running = await startBorg({
    command: ['export-tar'],
    args: [
      '--',
      archiveLocation(target, request.archiveName),
      '-',
      ...pathPrefixPatterns(request.paths),
    ],
    target,
    environment,
    options,
    reportsProgress: true,
  });

  try {
    await pipeline(running.stdout, destination);
  } catch (error) {
    running.stop();
    await running.completion.catch(() => undefined);
    throw error;
  }

  const result = await running.completion;
  return { status: result.status, warnings: result.warnings };
}

export interface DiffArchivesRequest {
  archiveName: string;
  otherArchiveName: string;
  /** Only compare these paths. */
  paths?: string[];
}

interface RawDiffEntry {
  path: string;
  changes: ({ type: string } & Record<string, unknown>)[];
}

/** What changed from `archiveName` to `otherArchiveName`. */
export async function diffArchives(
  { target, environment }: BorgRepository,
  request: DiffArchivesRequest,
  options?: BorgRunOptions,
): Promise<DiffEntry[]> {
  const result = await runBorg({
    command: ['diff'],
    args: [
      '--json-lines',
      '--',
      archiveLocation(target, request.archiveName),
      checkedArchiveName(request.otherArchiveName),
      ...pathPrefixPatterns(request.paths),
    ],
    target,
    environment,
    options,
  });

  return result.stdout
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => toDiffEntry(parseDiffLine(line)));
}

function parseDiffLine(line: string): RawDiffEntry {
  try {
    return JSON.parse(line) as RawDiffEntry;
  } catch {
    throw new BorgError({ type: 'UNKNOWN', commandName: 'diff', tail: line });
  }
}

function toDiffEntry(raw: RawDiffEntry): DiffEntry {
  return { path: raw.path, changes: raw.changes.map(toDiffChange) };
}

function toDiffChange(raw: { type: string } & Record<string, unknown>): DiffChange {
  switch (raw.type) {
    case 'modified':
      return { type: 'modified', addedBytes: Number(raw.added), removedBytes: Number(raw.removed) };
    case 'added':
    case 'removed':
      return { type: raw.type, sizeBytes: Number(raw.size) };
    case 'mode':
      return { type: 'mode', oldMode: String(raw.old_mode), newMode: String(raw.new_mode) };
    case 'owner':
      return {
        type: 'owner',
        oldUser: String(raw.old_user),
        newUser: String(raw.new_user),
        oldGroup: String(raw.old_group),
        newGroup: String(raw.new_group),
      };
    default:
      return raw;
  }
}
