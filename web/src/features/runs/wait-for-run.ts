import { getRun } from '../../api/operations';
import type { Run } from '../../api/types';
import { isFinished } from './run-status';

export interface WaitOptions {
  intervalMs?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  onUpdate?: (run: Run) => void;
}

/**
 * Polls a run until it finishes. Used where the page needs the outcome (a prune dry run's list)
 * rather than a live view; the run page itself follows events instead.
 */
export async function waitForRun(runId: string, options: WaitOptions = {}): Promise<Run> {
  const { intervalMs = 1000, timeoutMs = 10 * 60_000, signal, onUpdate } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    const run = await getRun(runId);
    onUpdate?.(run);
    if (isFinished(run.status)) return run;
    if (Date.now() > deadline) {
      throw new Error('The run is taking longer than expected; follow it on its run page.');
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
