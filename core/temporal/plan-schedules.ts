import {
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
} from '@temporalio/client';
import type { BackupRunInput } from '../runs';
import {
  KIND_ATTRIBUTE,
  PLAN_ATTRIBUTE,
  REPOSITORY_ATTRIBUTE,
  TRIGGER_ATTRIBUTE,
} from './search-attributes';

/** What a plan's schedule is made from; kept in step with the `plans` row. */
export interface PlanScheduleSource {
  id: string;
  name: string;
  repositoryId: string;
  enabled: boolean;
  scheduleCron: string | null;
  scheduleTimezone: string | null;
  /** Spreads scheduled starts by up to this much, so many plans do not start at once. */
  jitterSeconds?: number;
}

export interface PlanScheduleSettings {
  taskQueue: string;
  /** A run missed while Temporal or the machine was down is still started within this window. */
  catchupWindowSeconds: number;
}

export const DEFAULT_CATCHUP_WINDOW_SECONDS = 4 * 60 * 60;

export function planScheduleId(planId: string): string {
  return `plan-${planId}`;
}

/**
 * Creates, updates, pauses or removes the Temporal Schedule of a plan so it matches the plan.
 * Overlap policy SKIP: a backup still running when the next one is due makes Temporal skip (and
 * count) that start instead of queueing a second backup of the same sources.
 */
export async function syncPlanSchedule(
  client: Client,
  settings: PlanScheduleSettings,
  plan: PlanScheduleSource,
): Promise<void> {
  if (!plan.scheduleCron) {
    await deletePlanSchedule(client, plan.id);
    return;
  }
  const options = scheduleOptions(settings, plan);
  const handle = client.schedule.getHandle(options.scheduleId);
  try {
    await handle.update((previous) => ({
      ...previous,
      spec: options.spec,
      action: options.action,
      policies: { ...previous.policies, ...options.policies },
      state: { ...previous.state, paused: !plan.enabled, note: pausedNote(plan) },
    }));
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
    await client.schedule.create(options);
  }
}

export async function deletePlanSchedule(client: Client, planId: string): Promise<void> {
  try {
    await client.schedule.getHandle(planScheduleId(planId)).delete();
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
  }
}

/** The next start times Temporal has computed, and how many starts it skipped for overlap. */
export async function describePlanSchedule(
  client: Client,
  planId: string,
): Promise<{ nextRuns: Date[]; skippedForOverlap: number } | undefined> {
  try {
    const description = await client.schedule.getHandle(planScheduleId(planId)).describe();
    return {
      nextRuns: description.info.nextActionTimes.slice(0, 5),
      skippedForOverlap: description.info.numActionsSkippedOverlap,
    };
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return undefined;
    throw error;
  }
}

function scheduleOptions(settings: PlanScheduleSettings, plan: PlanScheduleSource) {
  const input: BackupRunInput = { planId: plan.id, trigger: 'schedule' };

  return {
    scheduleId: planScheduleId(plan.id),
    spec: {
      cronExpressions: [plan.scheduleCron!],
      timezone: plan.scheduleTimezone ?? 'UTC',
      jitter: plan.jitterSeconds ? plan.jitterSeconds * 1000 : undefined,
    },
    action: {
      type: 'startWorkflow' as const,
      workflowType: 'backupPlan',
      // Temporal appends the scheduled time, so each run's id stays a business id.
      workflowId: `backup-${plan.id}`,
      taskQueue: settings.taskQueue,
      args: [input],
      typedSearchAttributes: [
        { key: KIND_ATTRIBUTE, value: 'backup' },
        { key: TRIGGER_ATTRIBUTE, value: 'schedule' },
        { key: PLAN_ATTRIBUTE, value: plan.id },
        { key: REPOSITORY_ATTRIBUTE, value: plan.repositoryId },
      ],
      memo: { summary: `Scheduled backup of plan ${plan.name}` },
    },
    policies: {
      overlap: ScheduleOverlapPolicy.SKIP,
      catchupWindow: settings.catchupWindowSeconds * 1000,
    },
    state: { paused: !plan.enabled, note: pausedNote(plan) },
  } satisfies ScheduleOptions;
}

function pausedNote(plan: PlanScheduleSource): string {
  return plan.enabled ? 'enabled' : 'plan disabled in Borgflow';
}
