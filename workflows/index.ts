// The worker bundles this file into Temporal's deterministic sandbox: export workflows only.
export { backupPlan } from './backup-plan';
export {
  checkRepository,
  compactRepository,
  deleteRepositoryArchive,
  pruneRepository,
} from './maintenance-runs';
export { probeWorker } from './probe-worker';
export { repositoryLock } from './repository-lock';
export { restoreArchive } from './restore-archive';
