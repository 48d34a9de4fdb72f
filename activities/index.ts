import type { ActivityDependencies } from './dependencies';
import { createWorkerInfoActivities } from './worker-info';

export type { ActivityDependencies } from './dependencies';

export function createActivities(deps: ActivityDependencies) {
  return {
    ...createWorkerInfoActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
