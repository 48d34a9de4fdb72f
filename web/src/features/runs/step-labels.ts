import type { RunStatus } from '../../api/types';

/**
 * Plain names for the step names the workflows record (`run.step(...)` and `run.markStep(...)` in
 * workflows/*.ts). The recorded names are stable identifiers; these are what a person reads.
 */
const STEP_LABELS: Record<string, string> = {
  // Backups and maintenance runs
  create: 'Create archive',
  prune: 'Prune old archives',
  compact: 'Compact',
  check: 'Check',
  refresh: 'Refresh archive list',
  delete: 'Delete archive',
  // Restores
  'prepare target': 'Prepare restore folder',
  extract: 'Extract files',
  // Passphrase rotation
  reconcile: 'Check for an unfinished passphrase change',
  'escrow key': 'Save the repository key',
  'change passphrase': 'Change passphrase',
  'verify and promote': 'Verify the new passphrase',
  'promote after failure': 'Keep the new passphrase',
  // SSH key rotation
  'generate key': 'Generate new SSH key',
  'authorise new key': 'Authorise new key on the server',
  'verify new key': 'Verify new key',
  'switch repository': 'Switch repository to the new key',
  'revoke old key': 'Remove old key from the server',
  'retire old key': 'Retire old key',
};

// Hooks are recorded as `hook: <name>`; older runs may lack the space.
const HOOK_STEP = /^hook:\s*(.+)$/;

/** The plain name of a recorded step; an unknown name is shown as it is rather than hidden. */
export function stepLabel(name: string): string {
  const hook = HOOK_STEP.exec(name);
  if (hook) return `Hook ${hook[1].trim()}`;
  return STEP_LABELS[name] ?? name;
}

const STEP_STATUS_LABELS: Partial<Record<RunStatus, string>> = {
  queued: 'Queued',
  running: 'Running',
  waiting: 'Waiting for you',
  succeeded: 'Done',
  warning: 'Done with warnings',
  failed: 'Failed',
  canceled: 'Canceled',
  skipped: 'Skipped',
};

/** How a step ended, in words; an unknown status is shown as it is. */
export function stepStatusLabel(status: string): string {
  return STEP_STATUS_LABELS[status as RunStatus] ?? status;
}
