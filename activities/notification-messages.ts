import type { NotificationEvent } from '../core/notification-events';
import type { RunError } from '../core/runs';

/** What a notification says; `type` is Apprise's notification type (icon and colour). */
export interface NotificationMessage {
  title: string;
  body: string;
  type: 'info' | 'success' | 'warning' | 'failure';
}

/** A run as a message tells it: names instead of ids, and the figures a person looks for. */
export interface RunFacts {
  runId: string;
  kind: string;
  planName?: string;
  repositoryName?: string;
  startedAt: Date | null;
  finishedAt: Date | null;
  stats: Record<string, unknown> | null;
  error: RunError | null;
  waitingReason: string | null;
}

export interface MissedBackupFacts {
  planName: string;
  repositoryName: string;
  thresholdHours: number;
  /** Newest backup of the plan; null when it never had one. */
  lastBackupAt: Date | null;
}

const KIND_LABELS: Record<string, string> = {
  backup: 'Backup',
  check: 'Check',
  prune: 'Prune',
  compact: 'Compact',
  restore: 'Restore',
  'delete-archive': 'Archive deletion',
  'rotate-key': 'Key rotation',
  'rotate-ssh-key': 'SSH key rotation',
};

const OUTCOMES: Record<string, { phrase: string; type: NotificationMessage['type'] }> = {
  'run.succeeded': { phrase: 'succeeded', type: 'success' },
  'run.warning': { phrase: 'finished with warnings', type: 'warning' },
  'run.failed': { phrase: 'failed', type: 'failure' },
  'run.canceled': { phrase: 'was cancelled', type: 'warning' },
  'run.skipped': { phrase: 'was skipped', type: 'info' },
  'run.waiting': { phrase: 'is waiting for an operator', type: 'warning' },
  'check.problems': { phrase: 'found problems in the repository', type: 'failure' },
  'key.rotated': { phrase: 'replaced the repository key', type: 'success' },
};

const MAX_LISTED_PROBLEMS = 5;

/** The message for one event of one run; `runUrl` is the run's page in the web UI. */
export function renderRunMessage(
  event: NotificationEvent,
  facts: RunFacts,
  runUrl: string,
): NotificationMessage {
  const outcome = OUTCOMES[event] ?? { phrase: `reported ${event}`, type: 'info' as const };
  const label = KIND_LABELS[facts.kind] ?? facts.kind;
  const subject = facts.planName
    ? `plan "${facts.planName}" to repository "${facts.repositoryName ?? 'unknown'}"`
    : `repository "${facts.repositoryName ?? 'unknown'}"`;
  const title = `${label} ${outcome.phrase}: ${facts.planName ?? facts.repositoryName ?? facts.runId}`;
  const lines = [`${label} of ${subject} ${outcome.phrase}.`, ...figureLines(facts)];
  const reason = reasonLine(event, facts);
  if (reason) lines.push(reason);
  lines.push(...problemLines(facts.stats));
  lines.push(`Run: ${runUrl}`);

  return { title, body: lines.join('\n'), type: outcome.type };
}

export function renderMissedBackupMessage(
  facts: MissedBackupFacts,
  planUrl: string,
): NotificationMessage {
  const since = facts.lastBackupAt
    ? `The last one finished at ${facts.lastBackupAt.toISOString()}.`
    : 'It has never made one.';

  return {
    title: `Backup missed: ${facts.planName}`,
    body: [
      `Plan "${facts.planName}" (repository "${facts.repositoryName}") has made no backup in the ` +
        `last ${facts.thresholdHours} hours. ${since}`,
      `Plan: ${planUrl}`,
    ].join('\n'),
    type: 'failure',
  };
}

export function renderTestMessage(channelName: string): NotificationMessage {
  return {
    title: 'Borgflow test notification',
    body: `Channel "${channelName}" works: Borgflow can reach it.`,
    type: 'info',
  };
}

/** Sizes as people read them, in binary units with one decimal. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }

  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function formatDuration(milliseconds: number): string {
  const seconds = Math.round(milliseconds / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;

  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function figureLines({ startedAt, finishedAt, stats }: RunFacts): string[] {
  const lines: string[] = [];
  if (startedAt && finishedAt) {
    lines.push(`Duration: ${formatDuration(finishedAt.getTime() - startedAt.getTime())}`);
  }
  const number = (key: string) => (typeof stats?.[key] === 'number' ? stats[key] : undefined);
  const original = number('originalBytes');
  const deduplicated = number('deduplicatedBytes');
  if (original !== undefined && deduplicated !== undefined) {
    lines.push(
      `Size: ${formatBytes(original)} original, ${formatBytes(deduplicated)} deduplicated`,
    );
  }
  const files = number('files');
  if (files !== undefined) lines.push(`Files: ${files}`);
  if (typeof stats?.archive === 'string') lines.push(`Archive: ${stats.archive}`);

  return lines;
}

function reasonLine(event: NotificationEvent, facts: RunFacts): string | undefined {
  if (event === 'run.waiting' && facts.waitingReason) return `Waiting: ${facts.waitingReason}`;
  if (facts.error) return `Error: ${facts.error.message}`;
  if (event === 'run.skipped' && typeof facts.stats?.skippedBecause === 'string') {
    return `Reason: ${facts.stats.skippedBecause}`;
  }

  return undefined;
}

function problemLines(stats: Record<string, unknown> | null): string[] {
  const problems = (stats?.problems ?? stats?.checkProblems) as { message?: string }[] | undefined;
  if (!Array.isArray(problems) || problems.length === 0) return [];
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS).map((problem) => `- ${problem.message}`);
  const more = problems.length - listed.length;

  return ['Problems:', ...listed, ...(more > 0 ? [`- and ${more} more`] : [])];
}
