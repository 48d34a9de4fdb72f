import type { Client, ScheduleOptions } from '@temporalio/client';
import type { MaintenanceScheduleRow } from '../db/schema';
import {
  MAINTENANCE_WORKFLOW_TYPES,
  type CheckScheduleOptions,
  type MaintenanceKind,
  type MaintenanceScheduleOptions,
  type PruneScheduleOptions,
} from '../maintenance-schedules';
import type { CheckRunInput, PruneRunInput } from '../runs';
import {
  deleteScheduleIfPresent,
  describeSchedule,
  schedulePoliciesOf,
  scheduleSpecOf,
  upsertSchedule,
  type ScheduleFigures,
  type ScheduleSettings,
} from './schedule-sync';
import { KIND_ATTRIBUTE, REPOSITORY_ATTRIBUTE, TRIGGER_ATTRIBUTE } from './search-attributes';

/** What a check or prune schedule is made from; kept in step with its `maintenance_schedules` row. */
export interface MaintenanceScheduleSource {
  id: string;
  repositoryId: string;
  kind: MaintenanceKind;
  cron: string;
  timezone: string;
  enabled: boolean;
  options: MaintenanceScheduleOptions;
  jitterSeconds: number | null;
}

export function maintenanceScheduleId(scheduleId: string): string {
  return `maintenance-${scheduleId}`;
}

/** Creates or updates the Temporal Schedule so it matches the row; a disabled one is paused. */
export async function syncMaintenanceSchedule(
  client: Client,
  settings: ScheduleSettings,
  schedule: MaintenanceScheduleSource,
): Promise<void> {
  await upsertSchedule(client, scheduleOptions(settings, schedule));
}

export async function deleteMaintenanceSchedule(client: Client, scheduleId: string): Promise<void> {
  await deleteScheduleIfPresent(client, maintenanceScheduleId(scheduleId));
}

export async function describeMaintenanceSchedule(
  client: Client,
  scheduleId: string,
): Promise<ScheduleFigures | undefined> {
  return describeSchedule(client, maintenanceScheduleId(scheduleId));
}

/** A `maintenance_schedules` row as its schedule sees it. */
export function maintenanceScheduleSourceOf(
  row: MaintenanceScheduleRow,
): MaintenanceScheduleSource {
  return {
    id: row.id,
    repositoryId: row.repository_id,
    kind: row.kind,
    cron: row.cron,
    timezone: row.timezone,
    enabled: row.enabled,
    options: row.options,
    jitterSeconds: row.jitter_seconds,
  };
}

function scheduleOptions(
  settings: ScheduleSettings,
  schedule: MaintenanceScheduleSource,
): ScheduleOptions {
  const { kind, repositoryId } = schedule;

  return {
    scheduleId: maintenanceScheduleId(schedule.id),
    spec: scheduleSpecOf(schedule),
    action: {
      type: 'startWorkflow',
      workflowType: MAINTENANCE_WORKFLOW_TYPES[kind],
      // Temporal appends the scheduled time, so each run's id stays a business id.
      workflowId: `${kind}-${repositoryId}`,
      taskQueue: settings.taskQueue,
      args: [workflowInput(schedule)],
      typedSearchAttributes: [
        { key: KIND_ATTRIBUTE, value: kind },
        { key: TRIGGER_ATTRIBUTE, value: 'schedule' },
        { key: REPOSITORY_ATTRIBUTE, value: repositoryId },
      ],
      memo: { summary: `Scheduled ${kind} of repository ${repositoryId}` },
    },
    policies: schedulePoliciesOf(settings),
    state: {
      paused: !schedule.enabled,
      note: schedule.enabled ? 'enabled' : 'schedule disabled in Borgflow',
    },
  };
}

function workflowInput(schedule: MaintenanceScheduleSource): CheckRunInput | PruneRunInput {
  const base = { repositoryId: schedule.repositoryId, trigger: 'schedule' as const };
  // Field by field: whatever else the jsonb column holds stays out of Temporal history.
  if (schedule.kind === 'prune') {
    const { retention, globArchives, compact } = schedule.options as PruneScheduleOptions;
    return { ...base, retention, globArchives, compact };
  }
  const { verifyData, repositoryOnly, archivesOnly, maxDurationSeconds } =
    schedule.options as CheckScheduleOptions;
  return { ...base, verifyData, repositoryOnly, archivesOnly, maxDurationSeconds };
}
