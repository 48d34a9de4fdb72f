import {
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
  type ScheduleSpec,
} from '@temporalio/client';
import type { Config } from '../config';

/** What every Borgflow schedule takes from the configuration. */
export interface ScheduleSettings {
  taskQueue: string;
  /** A run missed while Temporal or the machine was down is still started within this window. */
  catchupWindowSeconds: number;
}

/** When a schedule fires, as a person entered it. */
export interface ScheduleTiming {
  cron: string;
  timezone: string;
  /** Spreads starts by up to this much, so many schedules on one cron do not start at once. */
  jitterSeconds?: number | null;
}

/** The next start times Temporal has computed, and how many starts it skipped for overlap. */
export interface ScheduleFigures {
  nextRuns: Date[];
  skippedForOverlap: number;
}

const NEXT_RUNS_SHOWN = 5;

export function scheduleSettingsOf(
  config: Pick<Config, 'taskQueue' | 'scheduleCatchupHours'>,
): ScheduleSettings {
  return {
    taskQueue: config.taskQueue,
    catchupWindowSeconds: config.scheduleCatchupHours * 60 * 60,
  };
}

export function scheduleSpecOf(timing: ScheduleTiming): ScheduleSpec {
  return {
    cronExpressions: [timing.cron],
    timezone: timing.timezone,
    jitter: timing.jitterSeconds ? timing.jitterSeconds * 1000 : undefined,
  };
}

/**
 * Overlap SKIP: a run still going when the next one is due makes Temporal skip (and count) that
 * start instead of queueing a second run against the same repository.
 */
export function schedulePoliciesOf(settings: ScheduleSettings): ScheduleOptions['policies'] {
  return {
    overlap: ScheduleOverlapPolicy.SKIP,
    catchupWindow: settings.catchupWindowSeconds * 1000,
  };
}

/** Makes the Temporal Schedule match `options`, creating it when Temporal has none. */
export async function upsertSchedule(client: Client, options: ScheduleOptions): Promise<void> {
  const handle = client.schedule.getHandle(options.scheduleId);
  try {
    await handle.update((previous) => ({
      ...previous,
      spec: options.spec,
      action: options.action,
      policies: { ...previous.policies, ...options.policies },
      state: { ...previous.state, paused: options.state?.paused, note: options.state?.note },
    }));
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
    await client.schedule.create(options);
  }
}

/** Deletes a schedule; one that is already gone counts as deleted. */
export async function deleteScheduleIfPresent(client: Client, scheduleId: string): Promise<void> {
  try {
    await client.schedule.getHandle(scheduleId).delete();
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
  }
}

/** What Temporal reports about a schedule, or undefined when it has none by that id. */
export async function describeSchedule(
  client: Client,
  scheduleId: string,
): Promise<ScheduleFigures | undefined> {
  try {
    const description = await client.schedule.getHandle(scheduleId).describe();
    return {
      nextRuns: description.info.nextActionTimes.slice(0, NEXT_RUNS_SHOWN),
      skippedForOverlap: description.info.numActionsSkippedOverlap,
    };
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return undefined;
    throw error;
  }
}
