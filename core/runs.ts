// Run vocabulary shared by the API, the activities and the workflows. Pure data: workflows import
// it, so nothing here may touch Node or the outside world.

export const RUN_KINDS = [
  'backup',
  'check',
  'prune',
  'compact',
  'restore',
  'delete-archive',
  'rotate-key',
  'rotate-ssh-key',
] as const;
export type RunKind = (typeof RUN_KINDS)[number];

export const RUN_STATUSES = [
  'queued',
  'running',
  'waiting',
  'succeeded',
  'warning',
  'failed',
  'canceled',
  'skipped',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const FINISHED_STATUSES: readonly RunStatus[] = [
  'succeeded',
  'warning',
  'failed',
  'canceled',
  'skipped',
];

export const RUN_TRIGGERS = ['manual', 'schedule', 'api', 'retry', 'system'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

/** Retention rules, in borg's terms; at least one must be set to prune. */
export interface Retention {
  keepWithin?: string;
  keepLast?: number;
  keepMinutely?: number;
  keepHourly?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
  keepYearly?: number;
}

/** A command run on the worker around a backup. */
export interface PlanHook {
  name: string;
  when: 'before' | 'after';
  /** Run through `/bin/sh -c` on the worker, with the plan's settings in the environment. */
  command: string;
  timeoutSeconds?: number;
  /** Before-hooks only: what a failure means for the run. */
  onFailure?: 'fail' | 'skip';
  /** After-hooks only: which outcomes of the backup run this hook. */
  runOn?: 'success' | 'failure' | 'always';
}

/** What an operator may decide for a run that waits after a failed step. */
export type OperatorDecision = 'resume' | 'skip' | 'abort';

/** Common fields of every run's workflow input. Never a secret: inputs live in Temporal history. */
export interface RunInputBase {
  trigger: RunTrigger;
  /** The run this one retries, when started by "retry". */
  retryOf?: string;
  /** Who started it, for the run list; absent for schedules. */
  requestedBy?: string;
  /** How long a failed step waits for an operator before the run fails. */
  operatorWaitSeconds?: number;
}

export interface BackupRunInput extends RunInputBase {
  planId: string;
}

export interface CheckRunInput extends RunInputBase {
  repositoryId: string;
  verifyData?: boolean;
  repositoryOnly?: boolean;
  archivesOnly?: boolean;
  maxDurationSeconds?: number;
}

export interface PruneRunInput extends RunInputBase {
  repositoryId: string;
  retention: Retention;
  /** Only archives matching this glob take part, e.g. one plan's archives. */
  globArchives?: string;
  dryRun?: boolean;
  compact?: boolean;
}

export interface CompactRunInput extends RunInputBase {
  repositoryId: string;
}

export interface RestoreRunInput extends RunInputBase {
  repositoryId: string;
  archive: string;
  /** Paths inside the archive, as borg lists them (no leading slash). */
  paths: string[];
  /** Absolute directory under RESTORE_ROOTS, checked by the API and again by the activity. */
  target: string;
  stripComponents?: number;
}

export interface DeleteArchiveRunInput extends RunInputBase {
  repositoryId: string;
  archive: string;
  compact?: boolean;
}

/** Rotates to the passphrase the API stored as pending; the input never holds it. */
export interface RotateKeyRunInput extends RunInputBase {
  repositoryId: string;
}

/** Replaces the SSH key of an ssh:// repository; the key pair is made and kept by activities. */
export interface RotateSshKeyRunInput extends RunInputBase {
  repositoryId: string;
  /** The key the repository used when the rotation was asked for. */
  fromKeyId: string;
  /** Chosen up front, so a step that runs again (or a retry of the run) reuses the same key. */
  newKeyId: string;
  /** authorized_keys on the server; relative paths start at the login's home directory. */
  authorizedKeysFile?: string;
  /** Written into the new key's forced `borg serve` command. */
  appendOnly?: boolean;
  storageQuota?: string;
}

export const DEFAULT_AUTHORIZED_KEYS_FILE = '.ssh/authorized_keys';

export const DEFAULT_OPERATOR_WAIT_SECONDS = 24 * 60 * 60;

/**
 * Whether a run's stats report damage in the repository: a check that found it unhealthy, or a
 * backup whose check after it listed problems.
 */
export function hasCheckProblems(kind: RunKind, stats: Record<string, unknown> | undefined) {
  const problems = stats?.checkProblems;
  return (
    (kind === 'check' && stats?.isHealthy === false) ||
    (Array.isArray(problems) && problems.length > 0)
  );
}

/** Live figures of a running run, as the UI shows them. */
export interface RunProgress {
  step?: string;
  originalBytes?: number;
  compressedBytes?: number;
  deduplicatedBytes?: number;
  files?: number;
  currentPath?: string;
  bytesPerSecond?: number;
  percent?: number;
  /** Estimated from how fast `percent` grew in this step; absent while that says nothing yet. */
  etaSeconds?: number;
  /** `percent` compares with the size the plan's last backup read, not with a total borg knows. */
  isPercentEstimated?: boolean;
  message?: string;
}

/** A failure in words for a person, plus borg's own last lines. */
export interface RunError {
  type: string;
  message: string;
  step?: string;
  tail?: string;
}
