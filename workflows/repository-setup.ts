import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PrepareRepositoryRequest } from '../activities/repository-setup';
import { BORG_ACTIVITY } from './activity-options';

// A person waits for these at the API: fail fast rather than retry behind their back. `borg init`
// in particular must not be retried, or its own earlier success reads as "already exists".
const setup = proxyActivities<Activities>({
  startToCloseTimeout: '55 seconds',
  retry: { maximumAttempts: 1 },
});
const probe = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 2, initialInterval: '1 second' },
});
const borg = proxyActivities<Activities>(BORG_ACTIVITY);

/** Creates (`borg init`) or imports (`borg info`) the repository of a new record, then escrows its key. */
export async function prepareRepository(request: PrepareRepositoryRequest) {
  return setup.prepareRepositoryStep(request);
}

/** Reads a prepared repository's archives and sizes, so the API shows them; not awaited by anyone. */
export async function refreshRepositoryArchives(request: { repositoryId: string }) {
  return borg.refreshRepository(request);
}

/** Asks the worker whether it reaches a location, and which ssh host keys it is offered. */
export async function testRepositoryConnection(request: { location: string }) {
  return probe.probeRepositoryLocation(request);
}

/** Pins the host key a person approved for an ssh repository. */
export async function pinRepositoryHostKey(request: { repositoryId: string; fingerprint: string }) {
  return setup.trustRepositoryHostKey(request);
}
