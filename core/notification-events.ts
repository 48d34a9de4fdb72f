/**
 * Everything a notification channel can subscribe to: what runs report (workflows), what the
 * worker sends (activities) and what the API lets a person choose.
 */
export const NOTIFICATION_EVENTS = [
  'run.succeeded',
  'run.warning',
  'run.failed',
  'run.canceled',
  'run.skipped',
  'run.waiting',
  'check.problems',
  'key.rotated',
  'backup.missed',
] as const;

export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];
