// Scheduled repository upkeep, shared by the API, the database schema and the Temporal Schedules.
// Pure data, like core/runs.ts.
import type { CheckRunInput, PruneRunInput } from './runs';

export const MAINTENANCE_KINDS = ['check', 'prune'] as const;
export type MaintenanceKind = (typeof MAINTENANCE_KINDS)[number];

/** The `borg check` flags a scheduled check runs with. */
export type CheckScheduleOptions = Pick<
  CheckRunInput,
  'verifyData' | 'repositoryOnly' | 'archivesOnly' | 'maxDurationSeconds'
>;

/** The retention a scheduled prune applies; `retention` holds at least one rule. */
export type PruneScheduleOptions = Pick<PruneRunInput, 'retention' | 'globArchives' | 'compact'>;

export type MaintenanceScheduleOptions = CheckScheduleOptions | PruneScheduleOptions;

/** The workflow each kind of schedule starts (see workflows/maintenance-runs.ts). */
export const MAINTENANCE_WORKFLOW_TYPES: Record<MaintenanceKind, string> = {
  check: 'checkRepository',
  prune: 'pruneRepository',
};
