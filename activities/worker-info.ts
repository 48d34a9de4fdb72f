import os from 'node:os';
import type { ActivityDependencies } from './dependencies';

export interface WorkerDescription {
  hostId: string;
  hostname: string;
  taskQueue: string;
  borgVersion: string | null;
}

export function createWorkerInfoActivities({
  db,
  config,
  hostId,
  borgVersion,
}: ActivityDependencies) {
  return {
    /** Records that this worker answered and returns what it knows about itself. */
    async describeWorker(): Promise<WorkerDescription> {
      await db
        .updateTable('workers')
        .set({ last_seen_at: new Date() })
        .where('id', '=', hostId)
        .execute();

      return { hostId, hostname: os.hostname(), taskQueue: config.taskQueue, borgVersion };
    },
  };
}
