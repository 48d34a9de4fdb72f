import type { Migration } from 'kysely';
import * as initialSchema from './2026-12-03T16-30-initial-schema';
import * as runTracking from './2026-12-03T17-30-run-tracking';
import * as archiveIndex from './2026-12-03T18-00-archive-index';
import * as notifications from './2026-12-03T18-30-notifications';
import * as maintenanceSchedules from './2026-12-03T19-30-maintenance-schedules';
import * as repositoryHostKeys from './2026-12-03T20-00-repository-host-keys';
import * as loginFailures from './2026-12-03T20-30-login-failures';
import * as runLogLines from './2026-12-04T06-00-run-log-lines';
import * as runsBySubjectAndKind from './2026-12-04T17-45-runs-by-subject-and-kind';

// Listed by hand rather than read from the folder, so the worker bundle and tsx agree on the set.
// Names sort by time; kysely applies them in that order.
export const migrations: Record<string, Migration> = {
  '2026-12-03T16-30-initial-schema': initialSchema,
  '2026-12-03T17-30-run-tracking': runTracking,
  '2026-12-03T18-00-archive-index': archiveIndex,
  '2026-12-03T18-30-notifications': notifications,
  '2026-12-03T19-30-maintenance-schedules': maintenanceSchedules,
  '2026-12-03T20-00-repository-host-keys': repositoryHostKeys,
  '2026-12-03T20-30-login-failures': loginFailures,
  '2026-12-04T06-00-run-log-lines': runLogLines,
  '2026-12-04T17-45-runs-by-subject-and-kind': runsBySubjectAndKind,
};
