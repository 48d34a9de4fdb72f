import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { describeWorker } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3 },
});

/** Proves end to end that a worker polls the task queue and can reach PostgreSQL and borg. */
export async function probeWorker(): Promise<Awaited<ReturnType<Activities['describeWorker']>>> {
  return describeWorker();
}
