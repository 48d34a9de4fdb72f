import { BorgError } from './errors';
import type { ArchiveStats, BorgTarget } from './types';

/** Borg's `--json` stats of an archive or a cache. */
export interface RawArchiveStats {
  original_size?: number;
  compressed_size?: number;
  deduplicated_size?: number;
  nfiles?: number;
}

/** Parses borg's `--json` output; a malformed document is a borg failure, not a crash. */
export function parseJsonOutput<T>(stdout: string, commandName: string): T {
  try {
    return JSON.parse(stdout) as T;
  } catch {
    throw new BorgError({ type: 'UNKNOWN', commandName, tail: stdout.slice(0, 1024) });
  }
}

/** `LOCATION::ARCHIVE`, the way borg 1.x names one archive of a repository. */
export function archiveLocation(target: BorgTarget, archiveName: string): string {
  return `${target.location}::${checkedArchiveName(archiveName)}`;
}

/** Borg refuses archive names with a slash; `::` would split the location wrongly. */
export function checkedArchiveName(name: string): string {
  if (!name || name.includes('::') || name.includes('/')) {
    throw new TypeError(`invalid archive name ${JSON.stringify(name)}`);
  }
  return name;
}

// Borg prints local time without a zone; Borgflow runs it with TZ=UTC, so the time is UTC.
export function parseBorgTime(value: string | undefined): Date {
  if (!value) return new Date(Number.NaN);
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
}

export function toArchiveStats(stats: RawArchiveStats | undefined): ArchiveStats {
  return {
    originalBytes: stats?.original_size ?? 0,
    compressedBytes: stats?.compressed_size ?? 0,
    deduplicatedBytes: stats?.deduplicated_size ?? 0,
    files: stats?.nfiles ?? 0,
  };
}

/** Include paths for extract, list and export-tar, as explicit path prefixes (`pp:`). */
export function pathPrefixPatterns(paths: readonly string[] | undefined): string[] {
  return (paths ?? []).map((path) => `pp:${path}`);
}
