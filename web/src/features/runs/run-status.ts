import type { RunKind, RunStatus } from '../../api/types';

const FINISHED: ReadonlySet<RunStatus> = new Set([
  'succeeded',
  'warning',
  'failed',
  'canceled',
  'skipped',
]);

export const isFinished = (status: RunStatus) => FINISHED.has(status);

export const RUN_STATUSES: RunStatus[] = [
  'queued',
  'running',
  'waiting',
  'succeeded',
  'warning',
  'failed',
  'canceled',
  'skipped',
];

export const RUN_KINDS: RunKind[] = [
  'backup',
  'check',
  'prune',
  'compact',
  'restore',
  'delete-archive',
  'rotate-key',
  'rotate-ssh-key',
];

export const KIND_LABELS: Record<RunKind, string> = {
  backup: 'Backup',
  check: 'Check',
  prune: 'Prune',
  compact: 'Compact',
  restore: 'Restore',
  'delete-archive': 'Delete archive',
  'rotate-key': 'Rotate passphrase',
  'rotate-ssh-key': 'Rotate SSH key',
};

export type TagType = 'default' | 'info' | 'success' | 'warning' | 'error';

export const STATUS_TAG: Record<RunStatus, TagType> = {
  queued: 'default',
  running: 'info',
  waiting: 'warning',
  succeeded: 'success',
  warning: 'warning',
  failed: 'error',
  canceled: 'default',
  skipped: 'default',
};

export interface RunCommands {
  cancel: boolean;
  retry: boolean;
  resume: boolean;
  skip: boolean;
  abort: boolean;
}

/** Which commands make sense for a run in this state, before roles are considered. */
export function commandsFor(status: RunStatus): RunCommands {
  return {
    cancel: status === 'queued' || status === 'running',
    retry: status === 'failed' || status === 'canceled' || status === 'warning',
    resume: status === 'waiting',
    skip: status === 'waiting',
    abort: status === 'waiting',
  };
}
