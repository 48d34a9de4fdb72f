import {
  archiveLocation,
  checkedArchiveName,
  parseBorgTime,
  parseJsonOutput,
  toArchiveStats,
  type RawArchiveStats,
} from './borg-json';
import { runBorg } from './borg-process';
import type {
  ArchiveDetails,
  ArchiveSummary,
  BorgCommandResult,
  BorgRepository,
  BorgRunOptions,
  CreatedArchive,
} from './types';

export interface CreateArchiveRequest {
  archiveName: string;
  /** Absolute paths to back up. */
  sources: string[];
  /** Borg patterns (`fm:`, `sh:`, `re:`, `pp:`) of paths to leave out. */
  excludePatterns?: string[];
  /** Borg compression spec, e.g. `lz4`, `zstd,3`, `auto,lzma,6`. Default `lz4`. */
  compression?: string;
  /** Stay on the file system of each source (`--one-file-system`). */
  oneFileSystem?: boolean;
  /** How often borg saves a checkpoint archive during a long backup. Borg's default is 1800. */
  checkpointIntervalSeconds?: number;
  comment?: string;
}

interface RawCreateOutput {
  archive: {
    name: string;
    id: string;
    start: string;
    end: string;
    duration: number;
    stats: RawArchiveStats;
  };
}

/** Backs up the sources into a new archive; unreadable or vanished files make it a warning. */
export async function createArchive(
  { target, environment }: BorgRepository,
  request: CreateArchiveRequest,
  options?: BorgRunOptions,
): Promise<CreatedArchive> {
  if (request.sources.length === 0) throw new TypeError('createArchive needs at least one source');

  const result = await runBorg({
    command: ['create'],
    args: [
      ...createOptions(request),
      '--',
      archiveLocation(target, request.archiveName),
      ...request.sources,
    ],
    target,
    environment,
    options,
    reportsProgress: true,
  });

  const { archive } = parseJsonOutput<RawCreateOutput>(result.stdout, 'create');
  return {
    status: result.status,
    warnings: result.warnings,
    archive: {
      name: archive.name,
      id: archive.id,
      start: parseBorgTime(archive.start),
      end: parseBorgTime(archive.end),
      durationSeconds: archive.duration,
      stats: toArchiveStats(archive.stats),
    },
  };
}

function createOptions(request: CreateArchiveRequest): string[] {
  const interval = request.checkpointIntervalSeconds;
  return [
    '--json',
    // Lists only the files borg could not read, so warnings can name them.
    ...['--list', '--filter=E'],
    ...['--compression', request.compression ?? 'lz4'],
    ...(request.excludePatterns ?? []).flatMap((pattern) => ['--exclude', pattern]),
    ...(request.oneFileSystem ? ['--one-file-system'] : []),
    ...(interval !== undefined ? ['--checkpoint-interval', `${interval}`] : []),
    ...(request.comment !== undefined ? ['--comment', request.comment] : []),
  ];
}

export interface ListArchivesRequest {
  /** Shell-style glob over archive names (`--glob-archives`), e.g. `plan-7-*`. */
  glob?: string;
  /** Shorthand for the glob `<prefix>*`. */
  prefix?: string;
  /** Only the newest N matching archives. */
  last?: number;
  /** Also list `.checkpoint` archives of interrupted backups, which borg 1.2 hides by default. */
  includeCheckpoints?: boolean;
}

interface RawArchiveList {
  archives: { name: string; id: string; start?: string; time: string }[];
}

/** Archives in the repository, oldest first. */
export async function listArchives(
  { target, environment }: BorgRepository,
  request: ListArchivesRequest = {},
  options?: BorgRunOptions,
): Promise<ArchiveSummary[]> {
  const glob =
    request.glob ?? (request.prefix !== undefined ? `${globEscape(request.prefix)}*` : '');
  const result = await runBorg({
    command: ['list'],
    args: [
      '--json',
      ...(glob ? ['--glob-archives', glob] : []),
      ...(request.last !== undefined ? ['--last', `${request.last}`] : []),
      ...(request.includeCheckpoints ? ['--consider-checkpoints'] : []),
      '--',
      target.location,
    ],
    target,
    environment,
    options,
  });

  const { archives } = parseJsonOutput<RawArchiveList>(result.stdout, 'list');
  return archives.map((archive) => ({
    name: archive.name,
    id: archive.id,
    start: parseBorgTime(archive.start ?? archive.time),
  }));
}

// Borg's archive globs use fnmatch, where a bracket expression matches a metacharacter literally.
function globEscape(text: string): string {
  return text.replace(/[*?[]/g, (character) => `[${character}]`);
}

interface RawArchiveInfo {
  archives: {
    name: string;
    id: string;
    start: string;
    end: string;
    duration: number;
    hostname: string;
    username: string;
    comment: string;
    command_line: string[];
    stats: RawArchiveStats;
  }[];
}

export async function archiveInfo(
  { target, environment }: BorgRepository,
  archiveName: string,
  options?: BorgRunOptions,
): Promise<ArchiveDetails> {
  const result = await runBorg({
    command: ['info'],
    args: ['--json', '--', archiveLocation(target, archiveName)],
    target,
    environment,
    options,
  });

  const [archive] = parseJsonOutput<RawArchiveInfo>(result.stdout, 'info').archives;
  return {
    name: archive.name,
    id: archive.id,
    start: parseBorgTime(archive.start),
    end: parseBorgTime(archive.end),
    durationSeconds: archive.duration,
    hostname: archive.hostname,
    username: archive.username,
    comment: archive.comment,
    commandLine: archive.command_line,
    stats: toArchiveStats(archive.stats),
  };
}

/** Deletes archives by name; their space is freed by the next {@link compactRepository}. */
export async function deleteArchives(
  { target, environment }: BorgRepository,
  archiveNames: readonly string[],
  options?: BorgRunOptions,
): Promise<BorgCommandResult> {
  // Without archive names borg would delete the whole repository.
  if (archiveNames.length === 0) throw new TypeError('deleteArchives needs at least one name');

  const result = await runBorg({
    command: ['delete'],
    args: ['--', target.location, ...archiveNames.map(checkedArchiveName)],
    target,
    environment,
    options,
    reportsProgress: true,
  });

  return { status: result.status, warnings: result.warnings };
}

export function deleteArchive(
  repository: BorgRepository,
  archiveName: string,
  options?: BorgRunOptions,
): Promise<BorgCommandResult> {
  return deleteArchives(repository, [archiveName], options);
}
