import { Context } from '@temporalio/activity';
import type { Kysely } from 'kysely';
import type { Database } from '../core/db/schema';
import type { RunProgress } from '../core/runs';
import type { BorgProgress } from './borg';

/** The API promises fresh progress at least once a second while a run is active. */
const DATABASE_WRITE_INTERVAL_MS = 900;
/** A pace measured over less than this swings too much to promise a time. */
const MIN_ETA_WINDOW_MS = 5_000;
/** An estimated percent stays below this until borg says it is done. */
const MAX_ESTIMATED_PERCENT = 99;

/** When a step's percent was first seen, to measure its pace against. */
export interface PercentSample {
  atMs: number;
  percent: number;
}

/**
 * Seconds left at the pace `percent` kept since `first`, or undefined while that pace is not yet
 * measurable (too soon, or no growth). Borg reports a percent only where it knows the total:
 * extract, check, compact and the like, never create.
 */
export function estimateSecondsLeft(first: PercentSample, now: PercentSample): number | undefined {
  const elapsedMs = now.atMs - first.atMs;
  const gained = now.percent - first.percent;
  if (elapsedMs < MIN_ETA_WINDOW_MS || gained <= 0) return undefined;

  return Math.round(((100 - now.percent) * elapsedMs) / gained / 1000);
}

/**
 * Percent of a `borg create` that has read `processedBytes`, against the size the same plan's last
 * backup read: borg itself knows no total before it has walked the sources.
 */
export function estimatedPercent(processedBytes: number, expectedBytes: number): number {
  return Math.min(MAX_ESTIMATED_PERCENT, (processedBytes / expectedBytes) * 100);
}

export interface ProgressReporterOptions {
  /** What the step is expected to read (the last backup's size), where borg reports no percent. */
  expectedOriginalBytes?: number;
}

/**
 * Turns borg's progress into a Temporal heartbeat (which also tells Temporal the worker is alive
 * and delivers cancellation) and into the run's row, which the API streams to the UI.
 */
export function createProgressReporter(
  db: Kysely<Database>,
  runId: string,
  step: string,
  { expectedOriginalBytes }: ProgressReporterOptions = {},
) {
  const context = Context.current();
  let lastWriteAt = 0;
  let pendingWrite: Promise<unknown> = Promise.resolve();
  let firstPercent: PercentSample | undefined;

  return (progress: BorgProgress): void => {
    const now = Date.now();
    const runProgress: RunProgress = { step, ...progress };
    if (runProgress.percent === undefined && expectedOriginalBytes && progress.originalBytes) {
      runProgress.percent = estimatedPercent(progress.originalBytes, expectedOriginalBytes);
      runProgress.isPercentEstimated = true;
    }
    if (runProgress.percent !== undefined) {
      const sample = { atMs: now, percent: runProgress.percent };
      // A percent that fell back belongs to a new phase of the command: measure afresh.
      if (!firstPercent || sample.percent < firstPercent.percent) firstPercent = sample;
      const etaSeconds = estimateSecondsLeft(firstPercent, sample);
      if (etaSeconds !== undefined) runProgress.etaSeconds = etaSeconds;
    }
    context.heartbeat(runProgress);
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
