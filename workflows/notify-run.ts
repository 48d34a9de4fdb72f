import {
  CancellationScope,
  ParentClosePolicy,
  patched,
  proxyActivities,
  startChild,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { HealthPingRequest } from '../activities/health-pings';
import type { NotificationEvent } from '../core/notification-events';
import { hasCheckProblems, type RunKind, type RunStatus } from '../core/runs';
import { QUICK_ACTIVITY } from './activity-options';

/** What happened, to which run or plan. Ids and event names only: never a channel's URL. */
export interface NotifyRunInput {
  /** Most specific first; each channel gets one message, for the first event it wants. */
  events: NotificationEvent[];
  runId?: string;
  planId?: string;
  repositoryId?: string;
}

/** Whether runs notify and ping: histories recorded before these existed replay without them. */
export const NOTIFY_PATCH = 'notify-run';
export const HEALTH_PING_PATCH = 'health-pings';

const quick = proxyActivities<Activities>(QUICK_ACTIVITY);

const sender = proxyActivities<Activities>({
  // Above Apprise's own 30 s limit, so a hung apprise is killed by us, not abandoned.
  startToCloseTimeout: '45 seconds',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 3,
    maximumInterval: '2 minutes',
    maximumAttempts: 4,
    nonRetryableErrorTypes: ['NOTIFICATION_REJECTED', 'RUN_NOT_FOUND', 'PLAN_DELETED'],
  },
});

// The test button wants an answer now: one attempt, its failure shown to the person waiting.
const tester = proxyActivities<Activities>({
  startToCloseTimeout: '45 seconds',
  retry: { maximumAttempts: 1 },
});

const pinger = proxyActivities<Activities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '10 seconds', maximumAttempts: 3 },
});

/**
 * Sends one event to every channel that wants it, in parallel: a channel that fails (after its
 * retries) is counted, never allowed to stop the others.
 */
export async function notifyRun(
  input: NotifyRunInput,
): Promise<{ sent: number; failed: string[] }> {
  const { runId, planId, repositoryId } = input;
  const deliveries = await quick.resolveNotificationChannels({
    events: input.events,
    planId,
    repositoryId,
  });

  const outcomes = await Promise.allSettled(
    deliveries.map(({ channelId, event }) =>
      sender.sendNotification({ channelId, event, runId, planId, repositoryId }),
    ),
  );
  const failed = deliveries
    .filter((_, index) => outcomes[index].status === 'rejected')
    .map((delivery) => delivery.channelId);

  return { sent: deliveries.length - failed.length, failed };
}

/** Sends the test message of one channel, once; fails with Apprise's scrubbed answer. */
export async function testNotificationChannel(input: {
  channelId: string;
}): Promise<{ sent: boolean }> {
  return tester.sendNotification({ channelId: input.channelId, event: 'test' });
}

/** The events a finished run raises, most specific first. */
export function finishEvents(
  kind: RunKind,
  status: RunStatus,
  stats?: Record<string, unknown>,
): NotificationEvent[] {
  const events: NotificationEvent[] = [];
  if (hasCheckProblems(kind, stats)) events.push('check.problems');
  if (kind === 'rotate-key' && status === 'succeeded') events.push('key.rotated');
  if (status === 'succeeded' || status === 'warning' || status === 'failed') {
    events.push(`run.${status}`);
  }
  if (status === 'canceled' || status === 'skipped') events.push(`run.${status}`);

  return events;
}

/**
 * Starts `notifyRun` as a child the run does not wait for (ABANDON: it outlives the run) and
 * shields the start from the run's own cancellation. A failure to start only loses the message.
 */
export async function startNotification(workflowId: string, input: NotifyRunInput): Promise<void> {
  if (input.events.length === 0 || !patched(NOTIFY_PATCH)) return;
  try {
    await CancellationScope.nonCancellable(() =>
      startChild(notifyRun, {
        workflowId,
        args: [input],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        // Retries of a dead channel end well within this; nothing lingers for days.
        workflowExecutionTimeout: '1 hour',
      }),
    );
  } catch {
    // Notifying is best effort: the run it reports on must end as it would have without it.
  }
}

/** Starts a health ping without waiting for it; the promise never rejects. */
export function startHealthPing(request: HealthPingRequest): Promise<void> {
  if (!patched(HEALTH_PING_PATCH)) return Promise.resolve();
  return CancellationScope.nonCancellable(() => pinger.sendHealthPing(request)).then(
    () => undefined,
    // The activity logged why; a dead health-check endpoint must not fail a backup.
    () => undefined,
  );
}
