import { createArchiveIndexActivities } from './archive-index';
import { createBackupActivities } from './backup';
import type { ActivityDependencies } from './dependencies';
import { createFilesystemActivities } from './filesystem';
import { createHealthPingActivities } from './health-pings';
import { createKeyRotationActivities } from './key-rotation';
import { createMaintenanceActivities } from './maintenance';
import { createNotificationActivities } from './notifications';
import { createRepositoryLockActivities } from './repository-lock';
import { createRepositorySetupActivities } from './repository-setup';
import { createRestoreActivities } from './restore';
import { createRunRecordActivities } from './run-records';
import { createSshKeyRotationActivities } from './ssh-key-rotation';
import { createWorkerInfoActivities } from './worker-info';

export type { ActivityDependencies } from './dependencies';

/** Every activity the worker offers, built from its dependencies (tests hand in their own). */
export function createActivities(deps: ActivityDependencies) {
  return {
    ...createWorkerInfoActivities(deps),
    ...createRunRecordActivities(deps),
    ...createRepositoryLockActivities(deps),
    ...createBackupActivities(deps),
    ...createMaintenanceActivities(deps),
    ...createRestoreActivities(deps),
    ...createNotificationActivities(deps),
    ...createHealthPingActivities(deps),
    ...createKeyRotationActivities(deps),
    ...createSshKeyRotationActivities(deps),
    ...createRepositorySetupActivities(deps),
    ...createArchiveIndexActivities(deps),
    ...createFilesystemActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
