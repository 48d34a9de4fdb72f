import { sql, type Kysely } from 'kysely';
import type { Database } from '../../core/db/schema';
import type { RunKind, RunStatus } from '../../core/runs';
import { REPOSITORY_CARE_KINDS, UNSETTLED_STATUSES, type SettledRun } from './health';

// Each lookup below is "the newest run of this repository (or plan) and kind": one short walk of
// the (repository_id | plan_id, kind, created_at) indexes per pair, however many runs the table
// keeps. DISTINCT ON over the whole table would read every run instead.

const unsettled = sql.join(UNSETTLED_STATUSES);
// A skipped run did nothing (a schedule gave way to a run still going, a before-hook said not
// now); the run before it says more, so neither health nor "last run" looks at skipped ones.
const SKIPPED = sql.lit('skipped');

/** The columns are plain text; the workflows only ever write the vocabulary of core/runs. */
function settledRun(kind: string, status: string, stats: Record<string, unknown> | null) {
  return { kind: kind as RunKind, status: status as RunStatus, stats } satisfies SettledRun;
}

/**
 * The latest settled run of each kind that looks after each repository, per kind so a later good
 * backup does not hide a failed check.
 */
export async function latestRepositoryRuns(
  db: Kysely<Database>,
  repositoryIds: string[],
): Promise<Map<string, SettledRun[]>> {
  const byRepository = new Map<string, SettledRun[]>();
  if (repositoryIds.length === 0) return byRepository;
  const { rows } = await sql<{
    repository_id: string;
    kind: string;
    status: string;
    stats: Record<string, unknown> | null;
  }>`
    select subject.id as repository_id, care.kind, latest.status, latest.stats
    from unnest(${repositoryIds}::text[]) as subject(id)
    cross join unnest(${[...REPOSITORY_CARE_KINDS]}::text[]) as care(kind)
    cross join lateral (
      select status, stats from runs
      where runs.repository_id = subject.id and runs.kind = care.kind
        and runs.status not in (${unsettled}, ${SKIPPED})
      order by runs.created_at desc
      limit 1
    ) as latest
  `.execute(db);
  for (const row of rows) {
    const runs = byRepository.get(row.repository_id) ?? [];
    runs.push(settledRun(row.kind, row.status, row.stats));
    byRepository.set(row.repository_id, runs);
  }
  return byRepository;
}

export interface PlanBackups {
  /** When the newest succeeded (or warning) backup finished. */
  lastSuccessAt: Date | null;
  /** The newest backup's status, queued and running included, skipped ones passed over. */
  lastRunStatus: RunStatus | null;
  /** The newest backup with an outcome, or waiting. */
  latestSettled?: SettledRun;
}

/** What the dashboard says of each plan's backups. */
export async function latestPlanBackups(
  db: Kysely<Database>,
  planIds: string[],
): Promise<Map<string, PlanBackups>> {
  if (planIds.length === 0) return new Map();
  const { rows } = await sql<{
    plan_id: string;
    last_success_at: Date | null;
    last_run_status: string | null;
    settled_status: string | null;
    settled_stats: Record<string, unknown> | null;
  }>`
    select plan.id as plan_id, success.finished_at as last_success_at,
           newest.status as last_run_status, settled.status as settled_status,
           settled.stats as settled_stats
    from unnest(${planIds}::text[]) as plan(id)
    left join lateral (
      -- Backups of one plan never overlap, so the newest started is the newest finished.
      select finished_at from runs
      where runs.plan_id = plan.id and runs.kind = 'backup'
        and runs.status in ('succeeded', 'warning')
      order by runs.created_at desc
      limit 1
    ) as success on true
    left join lateral (
      select status from runs
      where runs.plan_id = plan.id and runs.kind = 'backup' and runs.status <> ${SKIPPED}
      order by runs.created_at desc
      limit 1
    ) as newest on true
    left join lateral (
      select status, stats from runs
      where runs.plan_id = plan.id and runs.kind = 'backup'
        and runs.status not in (${unsettled}, ${SKIPPED})
      order by runs.created_at desc
      limit 1
    ) as settled on true
  `.execute(db);

  return new Map(
    rows.map((row) => [
      row.plan_id,
      {
        lastSuccessAt: row.last_success_at,
        lastRunStatus: row.last_run_status as RunStatus | null,
        latestSettled: row.settled_status
          ? settledRun('backup', row.settled_status, row.settled_stats)
          : undefined,
      },
    ]),
  );
}
