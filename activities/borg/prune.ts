import { runBorg } from './borg-process';
import type {
  BorgRepository,
  BorgRunOptions,
  PrunedArchive,
  PruneDecision,
  PruneResult,
} from './types';

/** Retention rules of `borg prune`; at least one must be set. */
export interface RetentionPolicy {
  /** Keep everything newer than this, e.g. `7d`, `2w`, `6m` (`--keep-within`). */
  keepWithin?: string;
  keepLast?: number;
  keepMinutely?: number;
  keepHourly?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
  keepYearly?: number;
}

export interface PruneArchivesRequest extends RetentionPolicy {
  /**
   * Only consider archives matching this glob, e.g. `plan-7-*`, so the archives of other plans
   * in the same repository are neither counted nor pruned.
   */
  globArchives?: string;
  /** Report what would be pruned without deleting anything. */
  dryRun?: boolean;
}

const RETENTION_FLAGS: [keyof RetentionPolicy, string][] = [
  ['keepWithin', '--keep-within'],
  ['keepLast', '--keep-last'],
  ['keepMinutely', '--keep-minutely'],
  ['keepHourly', '--keep-hourly'],
  ['keepDaily', '--keep-daily'],
  ['keepWeekly', '--keep-weekly'],
  ['keepMonthly', '--keep-monthly'],
  ['keepYearly', '--keep-yearly'],
];

/** Deletes the archives the retention policy no longer keeps, or previews that with `dryRun`. */
export async function pruneArchives(
  { target, environment }: BorgRepository,
  request: PruneArchivesRequest,
  options?: BorgRunOptions,
): Promise<PruneResult> {
  const retention = retentionArguments(request);
  if (retention.length === 0) throw new TypeError('pruneArchives needs at least one keep rule');

  const result = await runBorg({
    command: ['prune'],
    args: [
      '--list',
      ...(request.dryRun ? ['--dry-run'] : []),
      ...retention,
      ...(request.globArchives ? ['--glob-archives', request.globArchives] : []),
      '--',
      target.location,
    ],
    target,
    environment,
    options,
    reportsProgress: true,
  });

  return {
    status: result.status,
    warnings: result.warnings,
    isDryRun: request.dryRun ?? false,
    archives: result.listings.flatMap((line) => parsePruneListing(line) ?? []),
  };
}

function retentionArguments(policy: RetentionPolicy): string[] {
  return RETENTION_FLAGS.flatMap(([field, flag]) => {
    const value = policy[field];
    return value === undefined || value === 0 ? [] : [flag, `${value}`];
  });
}

// `prune --list` prints lines such as
//   "Keeping archive (rule: daily #1):     nightly-3   Thu, 2026-12-03 16:18:45 [<64 hex id>]"
//   "Would prune:                          nightly-1   Tue, 2026-12-01 16:15:43 [<64 hex id>]"
// (see do_prune in borg 1.2's archiver.py) with the name padded to 36 characters; the date and id at the end make the name recoverable.
const PRUNE_LISTING =
  /^(?<action>Keeping archive|Keeping checkpoint archive|Would prune|Pruning archive)(?: \((?<detail>[^)]*)\))?:\s+(?<name>.+?)\s+\w{3}, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[(?<id>[0-9a-f]{64})\]$/;

function parsePruneListing(line: string): PrunedArchive | undefined {
  const groups = PRUNE_LISTING.exec(line)?.groups;
  if (!groups) return undefined;

  const decision: PruneDecision = groups.action.startsWith('Keeping') ? 'keep' : 'prune';
  const rule = groups.detail?.startsWith('rule: ')
    ? groups.detail.slice('rule: '.length)
    : undefined;
  return { name: groups.name, id: groups.id, decision, ...(rule ? { rule } : {}) };
}
