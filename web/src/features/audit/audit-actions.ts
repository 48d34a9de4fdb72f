/** What each audited action means, in the words of the pages where people do it. */
const ACTION_LABELS: Record<string, string> = {
  'access.denied': 'Refused: not allowed',
  'archive.download': 'Downloaded a file from an archive',
  'auth.login': 'Signed in',
  'auth.logout': 'Signed out',
  'auth.password.change': 'Changed password',
  'maintenance-schedule.create': 'Added a check or prune schedule',
  'maintenance-schedule.update': 'Changed a check or prune schedule',
  'maintenance-schedule.enable': 'Enabled a check or prune schedule',
  'maintenance-schedule.disable': 'Disabled a check or prune schedule',
  'maintenance-schedule.delete': 'Removed a check or prune schedule',
  'notification.create': 'Added a notification channel',
  'notification.update': 'Changed a notification channel',
  'notification.delete': 'Removed a notification channel',
  'notification.test': 'Sent a test notification',
  'plan.create': 'Created a plan',
  'plan.update': 'Changed a plan',
  'plan.enable': 'Enabled a plan',
  'plan.disable': 'Disabled a plan',
  'plan.delete': 'Deleted a plan',
  'repository.create': 'Created a repository',
  'repository.import': 'Added an existing repository',
  'repository.update': 'Changed a repository',
  'repository.delete': 'Removed a repository',
  'repository.key-export': 'Exported a repository key',
  'repository.rotate-key': 'Started a passphrase rotation',
  'repository.rotate-ssh-key': 'Started an SSH key rotation',
  'repository.trust-host-key': 'Approved an SSH host key',
  'run.start': 'Started a run',
  'run.cancel': 'Cancelled a run',
  'run.retry': 'Retried a run',
  'run.resume': 'Resumed a waiting run',
  'run.skip': 'Skipped a failed step',
  'run.abort': 'Aborted a waiting run',
  'ssh-key.generate': 'Generated an SSH key',
  'ssh-key.import': 'Imported an SSH key',
  'ssh-key.delete': 'Deleted an SSH key',
  'token.create': 'Created an API token',
  'token.delete': 'Revoked an API token',
  'user.create': 'Added a user',
  'user.update': 'Changed a user',
  'user.delete': 'Removed a user',
};

/** A readable name for an audited action; one this page does not know shows as recorded. */
export function auditActionLabel(action: string): string {
  return ACTION_LABELS[action] ?? action;
}

export const KNOWN_AUDIT_ACTIONS = Object.keys(ACTION_LABELS);
