import { Context } from '@temporalio/activity';
import type { Kysely } from 'kysely';
import type { Database } from '../core/db/schema';
import type { RunProgress } from '../core/runs';
import type { BorgProgress } from './borg';

/** The API promises fresh progress at least once a second while a run is active. */
const DATABASE_WRITE_INTERVAL_MS = 900;

/**
 * Turns borg's progress into a Temporal heartbeat (which also tells Temporal the worker is alive
 * and delivers cancellation) and into the run's row, which the API streams to the UI.
 */
export function createProgressReporter(db: Kysely<Database>, runId: string, step: string) {
  const context = Context.current();
  let lastWriteAt = 0;
  let pendingWrite: Promise<unknown> = Promise.resolve();

  return (progress: BorgProgress): void => {
    const runProgress: RunProgress = { step, ...progress };
    context.heartbeat(runProgress);
    const now = Date.now();
    if (now - lastWriteAt < DATABASE_WRITE_INTERVAL_MS) return;
    lastWriteAt = now;
    // One write at a time: a slow database must not pile up writes behind a fast borg.
    pendingWrite = pendingWrite.then(() =>
      db
        .updateTable('runs')
        .set({ progress: runProgress })
        .where('id', '=', runId)
        .execute()
        .catch((error: unknown) => {
          context.log.warn('progress write failed', { runId, error: String(error) });
        }),
    );
  };
}
