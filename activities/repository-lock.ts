import { WorkflowNotFoundError } from '@temporalio/client';
import {
  lockRequestedSignal,
  lockStateQuery,
  repositoryLock,
  repositoryLockWorkflowId,
} from '../workflows/repository-lock';
import type { ActivityDependencies } from './dependencies';

/**
 * The client side of the per-repository lock workflow. Starting that workflow on demand needs
 * signal-with-start, which only a client can do, hence an activity.
 */
export function createRepositoryLockActivities({ temporal, config }: ActivityDependencies) {
  return {
    /** Queues the run for the repository's lock; returns the run holding it now, if another. */
    async requestRepositoryLock(request: {
      repositoryId: string;
      runId: string;
    }): Promise<{ holder?: string }> {
      const handle = await temporal.workflow.signalWithStart(repositoryLock, {
        workflowId: repositoryLockWorkflowId(request.repositoryId),
        taskQueue: config.taskQueue,
        args: [{ repositoryId: request.repositoryId }],
        signal: lockRequestedSignal,
        signalArgs: [{ runId: request.runId }],
      });
      const state = await handle.query(lockStateQuery).catch(() => undefined);
      const holder = state?.holder;

      return holder && holder !== request.runId ? { holder } : {};
    },

    /** Whether a run's workflow is still open; the lock reclaims itself from closed holders. */
    async isRunOpen({ runId }: { runId: string }): Promise<boolean> {
      try {
        const description = await temporal.workflow.getHandle(runId).describe();
        return description.status.name === 'RUNNING';
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return false;
        throw error;
      }
    },
  };
}
