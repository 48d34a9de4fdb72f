import { ActivityCancellationType, type ActivityOptions } from '@temporalio/workflow';

/** Activities that drive borg: long, heartbeating, retried with backoff on transient errors. */
export const BORG_ACTIVITY: ActivityOptions = {
  startToCloseTimeout: '24 hours',
  // Borg progress heartbeats every second; a worker that stops heartbeating for this long is
  // presumed dead and the step is retried elsewhere.
  heartbeatTimeout: '30 seconds',
  // A cancelled run ends when borg has stopped (and released its lock), not when it was asked to.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: {
    initialInterval: '10 seconds',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    maximumAttempts: 5,
    // Retrying these cannot help; they wait for an operator instead.
    nonRetryableErrorTypes: [
      'WRONG_PASSPHRASE',
      'REPOSITORY_NOT_FOUND',
      'NOT_A_REPOSITORY',
      'HOST_KEY_CHANGED',
      'HOST_KEY_UNKNOWN',
      'PERMISSION_DENIED',
      'PATH_NOT_ALLOWED',
      'ARCHIVE_NOT_FOUND',
      'REPOSITORY_DELETED',
      'PLAN_DELETED',
      'RESTORE_REFUSED',
    ],
  },
};

/** Short bookkeeping activities against PostgreSQL. */
export const QUICK_ACTIVITY: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20 },
};
