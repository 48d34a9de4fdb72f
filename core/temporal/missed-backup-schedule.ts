import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
} from '@temporalio/client';

export const MISSED_BACKUP_SCHEDULE_ID = 'borgflow-missed-backups';
export const DEFAULT_MISSED_BACKUP_INTERVAL_MINUTES = 15;

export interface MissedBackupScheduleSettings {
  taskQueue: string;
  /** How often plans are checked for missed backups. */
  intervalMinutes?: number;
}

/**
 * Creates the schedule that runs `checkMissedBackups`, or brings an existing one in line with
 * these settings; safe to call at every worker start, from several workers at once.
 */
export async function syncMissedBackupSchedule(
  client: Client,
  settings: MissedBackupScheduleSettings,
): Promise<void> {
  const options = scheduleOptions(settings);
  const handle = client.schedule.getHandle(MISSED_BACKUP_SCHEDULE_ID);
  try {
    await handle.update((previous) => ({
      ...previous,
      spec: options.spec,
      action: options.action,
      policies: { ...previous.policies, ...options.policies },
    }));
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
    await createUnlessRaced(client, options);
  }
}

async function createUnlessRaced(client: Client, options: ScheduleOptions): Promise<void> {
  try {
    await client.schedule.create(options);
  } catch (error) {
    // Another worker starting at the same moment created it first: that one is just as good.
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
}

function scheduleOptions(settings: MissedBackupScheduleSettings) {
  const minutes = settings.intervalMinutes ?? DEFAULT_MISSED_BACKUP_INTERVAL_MINUTES;

  return {
    scheduleId: MISSED_BACKUP_SCHEDULE_ID,
    spec: { intervals: [{ every: `${minutes} minutes` }] },
    action: {
      type: 'startWorkflow' as const,
      workflowType: 'checkMissedBackups',
      // Temporal appends the scheduled time, so each check has its own id.
      workflowId: 'missed-backups',
      taskQueue: settings.taskQueue,
      args: [],
      workflowExecutionTimeout: '10 minutes',
    },
    // A check still running when the next is due makes the next one pointless.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: minutes * 60 * 1000 },
    state: { note: 'checks plans for missed backups' },
  } satisfies ScheduleOptions;
}
