import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BrowsedTree } from '../activities/filesystem';

// A person waits for the listing in a folder picker: answer or fail fast.
const browse = proxyActivities<Activities>({
  startToCloseTimeout: '20 seconds',
  retry: { maximumAttempts: 1 },
});

/** One directory of the sources or restore tree, as the worker sees it. */
export async function browseWorkerDirectory(request: { tree: BrowsedTree; path: string }) {
  return browse.listWorkerDirectory(request);
}
