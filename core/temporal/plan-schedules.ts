import type { Client, ScheduleOptions } from '@temporalio/client';
import type { PlanRow } from '../db/schema';
import type { BackupRunInput } from '../runs';
import {
  deleteScheduleIfPresent,
  describeSchedule,
  schedulePoliciesOf,
  scheduleSpecOf,
  upsertSchedule,
  type ScheduleFigures,
  type ScheduleSettings,
} from './schedule-sync';
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

export type PlanScheduleSettings = ScheduleSettings;

export function planScheduleId(planId: string): string {
  return `plan-${planId}`;
}

/** Creates, updates, pauses or removes the Temporal Schedule of a plan so it matches the plan. */
export async function syncPlanSchedule(
  client: Client,
  settings: PlanScheduleSettings,
  plan: PlanScheduleSource,
): Promise<void> {
  if (!plan.scheduleCron) {
    await deletePlanSchedule(client, plan.id);
    return;
  }

  await upsertSchedule(client, scheduleOptions(settings, plan, plan.scheduleCron));
}

export async function deletePlanSchedule(client: Client, planId: string): Promise<void> {
  await deleteScheduleIfPresent(client, planScheduleId(planId));
}

/** The next start times Temporal has computed, and how many starts it skipped for overlap. */
export async function describePlanSchedule(
  client: Client,
  planId: string,
): Promise<ScheduleFigures | undefined> {
  return describeSchedule(client, planScheduleId(planId));
}

/** A `plans` row as its schedule sees it. */
export function planScheduleSourceOf(row: PlanRow): PlanScheduleSource {
  return {
    id: row.id,
    name: row.name,
    repositoryId: row.repository_id,
    enabled: row.enabled,
    scheduleCron: row.schedule_cron,
    scheduleTimezone: row.schedule_timezone,
    jitterSeconds: (row.options as { jitterSeconds?: number }).jitterSeconds,
  };
}

function scheduleOptions(
  settings: PlanScheduleSettings,
  plan: PlanScheduleSource,
  cron: string,
): ScheduleOptions {
  const input: BackupRunInput = { planId: plan.id, trigger: 'schedule' };

  return {
    scheduleId: planScheduleId(plan.id),
    spec: scheduleSpecOf({
      cron,
      timezone: plan.scheduleTimezone ?? 'UTC',
      jitterSeconds: plan.jitterSeconds,
    }),
    action: {
      type: 'startWorkflow',
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
    policies: schedulePoliciesOf(settings),
    state: { paused: !plan.enabled, note: plan.enabled ? 'enabled' : 'plan disabled in Borgflow' },
  };
}
