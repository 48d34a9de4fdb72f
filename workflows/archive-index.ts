import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ArchiveRequest } from '../activities/archive-index';
import { BORG_ACTIVITY } from './activity-options';

const indexing = proxyActivities<Activities>({
  startToCloseTimeout: '2 hours',
  // Longer than borg's 60 s wait for a repository lock, during which no item arrives.
  heartbeatTimeout: '2 minutes',
  retry: { ...BORG_ACTIVITY.retry, initialInterval: '2 seconds', maximumAttempts: 3 },
});
const reading = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { ...BORG_ACTIVITY.retry, initialInterval: '2 seconds', maximumAttempts: 2 },
});

/** Copies an archive's item list into PostgreSQL once, so browsing it needs no borg. */
export async function indexArchive(request: ArchiveRequest) {
  return indexing.indexArchiveItems(request);
}

/** What changed between two archives of a repository, capped at `maxEntries` paths. */
export async function diffRepositoryArchives(
  request: ArchiveRequest & { otherArchiveName: string; maxEntries: number },
) {
  return reading.diffArchiveItems(request);
}

/** Extracts one file of an archive on the worker, for download. */
export async function fetchArchiveFile(request: ArchiveRequest & { path: string }) {
  return reading.extractArchiveFile(request);
}
