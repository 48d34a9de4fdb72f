import { NOTIFICATION_EVENTS, type NotificationEvent } from '../../api/types';

/** What each event id means, in the words the form and the table both show. */
export const EVENT_LABELS: Record<NotificationEvent, string> = {
  'run.succeeded': 'Run succeeded',
  'run.warning': 'Run finished with warnings',
  'run.failed': 'Run failed',
  'run.canceled': 'Run canceled',
  'run.skipped': 'Run skipped',
  'run.waiting': 'Run waiting for a decision',
  'check.problems': 'Check found problems',
  'key.rotated': 'Key rotated',
  'backup.missed': 'Scheduled backup missed',
};

/** The plain label of an event id; one this UI does not know yet is shown as the id. */
export function eventLabel(event: string): string {
  return EVENT_LABELS[event as NotificationEvent] ?? event;
}

/**
 * The events in the order the form lists them, so the table reads the same way whatever order
 * they were saved in; unknown ids go last.
 */
export function inFormOrder(events: readonly string[]): string[] {
  const position = (event: string) => {
    const index = (NOTIFICATION_EVENTS as readonly string[]).indexOf(event);
    return index === -1 ? NOTIFICATION_EVENTS.length : index;
  };
  return [...events].sort((a, b) => position(a) - position(b));
}
