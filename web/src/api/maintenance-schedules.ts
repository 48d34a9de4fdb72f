import { request } from './client';
import { getList, id, send } from './resources';
import type { Retention } from './types';

export type MaintenanceKind = 'check' | 'prune';

/** The `borg check` flags of a scheduled check. */
export interface CheckScheduleOptions {
  verifyData?: boolean;
  repositoryOnly?: boolean;
  archivesOnly?: boolean;
  maxDurationSeconds?: number;
}

/** What a scheduled prune keeps; `retention` holds at least one rule. */
export interface PruneScheduleOptions {
  retention: Retention;
  globArchives?: string;
  compact?: boolean;
}

export interface MaintenanceScheduleInput {
  cron: string;
  timezone: string;
  enabled?: boolean;
  jitterSeconds?: number | null;
  options: CheckScheduleOptions | PruneScheduleOptions;
}

export interface MaintenanceSchedule extends MaintenanceScheduleInput {
  id: string;
  repositoryId: string;
  kind: MaintenanceKind;
  enabled: boolean;
  jitterSeconds: number | null;
  createdAt: string;
  updatedAt: string;
  /** Temporal's next start times, soonest first. */
  nextRuns: string[];
  skippedForOverlap: number;
}

const repositorySchedules = (repositoryId: string) =>
  `/api/repositories/${id(repositoryId)}/schedules`;
const schedulePath = (scheduleId: string) => `/api/maintenance-schedules/${id(scheduleId)}`;

export const listMaintenanceSchedules = (repositoryId: string) =>
  getList<MaintenanceSchedule>(repositorySchedules(repositoryId), 'schedules');

export const createMaintenanceSchedule = (
  repositoryId: string,
  body: MaintenanceScheduleInput & { kind: MaintenanceKind },
) => send<MaintenanceSchedule>('POST', repositorySchedules(repositoryId), body);

/** `options`, when sent, replaces the schedule's options as a whole. */
export const updateMaintenanceSchedule = (
  scheduleId: string,
  body: Partial<MaintenanceScheduleInput>,
) => send<MaintenanceSchedule>('PATCH', schedulePath(scheduleId), body);

export const deleteMaintenanceSchedule = (scheduleId: string) =>
  request<void>(schedulePath(scheduleId), { method: 'DELETE' });
