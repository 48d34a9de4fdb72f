import type { Kysely } from 'kysely';
import type { Database, RunRow } from '../../core/db/schema';

/** Polls the `runs` mirror until `isReached` holds for the run; fails after `timeoutMs`. */
export async function waitForRun(
  db: Kysely<Database>,
  runId: string,
  isReached: (run: RunRow) => boolean,
  timeoutMs = 60_000,
): Promise<RunRow> {
  const deadline = Date.now() + timeoutMs;
  let last: RunRow | undefined;
  while (Date.now() < deadline) {
    last = await db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst();
    if (last && isReached(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const seen = last
    ? `${last.status}: ${last.waiting_reason ?? JSON.stringify(last.error)}`
    : 'no row yet';
  throw new Error(`run ${runId} did not get there within ${timeoutMs} ms (last seen ${seen})`);
}

/** Polls the `runs` mirror until the run is in one of `statuses`. */
export function waitForRunStatus(
  db: Kysely<Database>,
  runId: string,
  statuses: string | readonly string[],
  timeoutMs = 60_000,
): Promise<RunRow> {
  const wanted: readonly string[] = typeof statuses === 'string' ? [statuses] : statuses;
  return waitForRun(db, runId, (run) => wanted.includes(run.status), timeoutMs);
}

/**
 * Polls until the run waits for an operator after a failed step. `waiting` alone is not enough:
 * a run also waits, briefly, for its turn on the repository, and then takes no decision.
 */
export function waitForOperatorWait(
  db: Kysely<Database>,
  runId: string,
  timeoutMs = 60_000,
): Promise<RunRow> {
  return waitForRun(
    db,
    runId,
    (run) => run.status === 'waiting' && /^step ".+" failed/.test(run.waiting_reason ?? ''),
    timeoutMs,
  );
}
