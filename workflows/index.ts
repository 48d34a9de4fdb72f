// The worker bundles this file into Temporal's deterministic sandbox: export workflows only.
export { diffRepositoryArchives, fetchArchiveFile, indexArchive } from './archive-index';
export { backupPlan } from './backup-plan';
export { browseWorkerDirectory } from './filesystem-browse';
export {
  checkRepository,
  compactRepository,
  deleteRepositoryArchive,
  pruneRepository,
} from './maintenance-runs';
export { checkMissedBackups } from './missed-backups';
export { notifyRun, testNotificationChannel } from './notify-run';
export { probeWorker } from './probe-worker';
export { repositoryLock } from './repository-lock';
export {
  pinRepositoryHostKey,
  prepareRepository,
  refreshRepositoryArchives,
  testRepositoryConnection,
} from './repository-setup';
export { restoreArchive } from './restore-archive';
export { rotateRepositoryKey } from './rotate-repository-key';
export { rotateSshKey } from './rotate-ssh-key';
