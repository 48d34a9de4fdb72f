import {
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';

/** A run asks for the repository; the lock answers with `lockGrantedSignal` when it is its turn. */
export const lockRequestedSignal = defineSignal<[{ runId: string }]>('lockRequested');
/** The holder gives the repository back, or a queued run gives up its place. */
export const lockReleasedSignal = defineSignal<[{ runId: string }]>('lockReleased');
/** Sent to the run whose turn it is. */
export const lockGrantedSignal = defineSignal<[{ repositoryId: string }]>('lockGranted');
export const lockStateQuery = defineQuery<{ holder?: string; queue: string[] }>('lockState');

export function repositoryLockWorkflowId(repositoryId: string): string {
  return `repository-lock-${repositoryId}`;
}

export interface RepositoryLockState {
  repositoryId: string;
  holder?: string;
  queue?: string[];
}

const { isRunOpen } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '1 minute' },
});

/** How often the lock checks that its holder still runs (a terminated run never releases). */
const HOLDER_CHECK_INTERVAL = '2 minutes';
/** An idle lock ends; the next request starts it again (signal-with-start). */
const IDLE_LIFETIME = '1 hour';

/**
 * One writer per repository, across every worker and restart: borg locks a repository for most
 * commands, so runs take turns here instead of failing on borg's lock. First come, first served.
 */
export async function repositoryLock(state: RepositoryLockState): Promise<void> {
  let holder = state.holder;
  const queue = [...(state.queue ?? [])];
  setHandler(lockRequestedSignal, ({ runId }) => {
    if (runId !== holder && !queue.includes(runId)) queue.push(runId);
  });
  setHandler(lockReleasedSignal, ({ runId }) => {
    if (runId === holder) holder = undefined;
    else if (queue.includes(runId)) queue.splice(queue.indexOf(runId), 1);
  });
  setHandler(lockStateQuery, () => ({ holder, queue: [...queue] }));

  for (;;) {
    if (!holder) {
      const hasRequest = await condition(() => queue.length > 0, IDLE_LIFETIME);
      if (!hasRequest) return;
      holder = queue.shift()!;
      const granted = await grant(holder, state.repositoryId);
      if (!granted) holder = undefined;
      continue;
    }
    const current = holder;
    const released = await condition(() => holder !== current, HOLDER_CHECK_INTERVAL);
    if (!released && holder === current && !(await isRunOpen({ runId: current }))) {
      holder = undefined;
    }
    if (workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof repositoryLock>({
        repositoryId: state.repositoryId,
        holder,
        queue,
      });
    }
  }
}

async function grant(runId: string, repositoryId: string): Promise<boolean> {
  try {
    await getExternalWorkflowHandle(runId).signal(lockGrantedSignal, { repositoryId });
    return true;
  } catch {
    // The run ended while queued.
    return false;
  }
}
