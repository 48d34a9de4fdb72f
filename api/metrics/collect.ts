import type { Client } from '@temporalio/client';
import { sql, type Kysely } from 'kysely';
import { Gauge, Registry, type Metric } from 'prom-client';
import type { Config } from '../../core/config';
import type { Database } from '../../core/db/schema';
import { temporalApi } from '../../core/temporal/proto';

export interface MetricsSources {
  db: Kysely<Database>;
  temporal: Client;
  config: Pick<Config, 'temporalNamespace' | 'taskQueue'>;
}

/** Run durations from a few seconds (a compact) to a day (a first backup of a big source). */
export const RUN_DURATION_BUCKETS_SECONDS = [
  5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800, 86400,
];

const SUCCESS_STATUSES = ['succeeded', 'warning'];
/** How long a scrape waits for Temporal; Prometheus' default scrape timeout is 10 s. */
const TEMPORAL_SCRAPE_BUDGET_MS = 3_000;

/**
 * Builds a fresh registry from PostgreSQL and Temporal at each scrape. Every figure is state
 * the database already keeps, so nothing is counted in this process: a restarted API, or several
 * API processes, report the same numbers, and a deleted plan simply disappears.
 */
export async function collectMetrics(sources: MetricsSources): Promise<Registry> {
  const registry = new Registry();
  await Promise.all([
    collectRuns(sources.db, registry),
    collectRunDurations(sources.db, registry),
    collectLastSuccess(sources.db, registry),
    collectRepositories(sources.db, registry),
    collectTemporal(sources, registry),
  ]);

  return registry;
}

async function collectRuns(db: Kysely<Database>, registry: Registry): Promise<void> {
  const rows = await db
    .selectFrom('runs')
    .select(['kind', 'status', (eb) => eb.fn.countAll<string>().as('count')])
    .groupBy(['kind', 'status'])
    .execute();

  // Gauges, not counters: the table is the truth, and rows can be deleted.
  const runs = new Gauge({
    name: 'borgflow_runs',
    help: 'Runs recorded in the database, by kind and status',
    labelNames: ['kind', 'status'],
    registers: [registry],
  });
  const waiting = new Gauge({
    name: 'borgflow_runs_waiting',
    help: 'Runs waiting for an operator or for their turn on a repository',
    registers: [registry],
  });
  waiting.set(0);
  for (const row of rows) {
    runs.set({ kind: row.kind, status: row.status }, Number(row.count));
    if (row.status === 'waiting') waiting.inc(Number(row.count));
  }
}

/**
 * The duration (finished_at − started_at) of every finished run that has both times, skipped runs
 * excepted (they last no time), as a histogram by kind. PostgreSQL counts the buckets, so a scrape
 * reads one row per kind however many runs the table keeps.
 */
async function collectRunDurations(db: Kysely<Database>, registry: Registry): Promise<void> {
  const seconds = sql<number>`greatest(0, extract(epoch from finished_at - started_at))::float8`;
  const bucketCounts = sql.join(
    RUN_DURATION_BUCKETS_SECONDS.map((le) => sql`count(*) filter (where seconds <= ${le})`),
  );
  const rows = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('runs')
        .select(['kind', seconds.as('seconds')])
        .where('finished_at', 'is not', null)
        .where('started_at', 'is not', null)
        .where('status', '!=', 'skipped')
        .as('finished'),
    )
    .select([
      'kind',
      (eb) => eb.fn.countAll<string>().as('count'),
      sql<number>`coalesce(sum(seconds), 0)::float8`.as('sum'),
      sql<string[]>`array[${bucketCounts}]`.as('buckets'),
    ])
    .groupBy('kind')
    .execute();

  registry.registerMetric(
    countedHistogram(
      {
        name: 'borgflow_run_duration_seconds',
        help: 'How long finished runs took, by kind (from the runs table)',
        buckets: RUN_DURATION_BUCKETS_SECONDS,
      },
      rows.map((row) => ({
        labels: { kind: row.kind },
        count: Number(row.count),
        sum: row.sum,
        cumulativeBuckets: row.buckets.map(Number),
      })),
    ),
  );
}

interface CountedSeries {
  labels: Record<string, string>;
  count: number;
  sum: number;
  /** Observations at or below each bucket's bound, in the order of the buckets. */
  cumulativeBuckets: number[];
}

/**
 * A histogram whose buckets were counted elsewhere (in SQL): prom-client's own Histogram only
 * counts values this process observes one at a time. The registry needs no more of a metric than
 * its name and `get()` in prom-client's shape, which is what this gives it.
 */
function countedHistogram(
  definition: { name: string; help: string; buckets: number[] },
  series: CountedSeries[],
): Metric {
  const { name, help, buckets } = definition;
  const values = series.flatMap(({ labels, count, sum, cumulativeBuckets }) => [
    ...buckets.map((le, index) => ({
      metricName: `${name}_bucket`,
      labels: { ...labels, le },
      value: cumulativeBuckets[index],
    })),
    { metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: count },
    { metricName: `${name}_sum`, labels, value: sum },
    { metricName: `${name}_count`, labels, value: count },
  ]);
  const metric = {
    name,
    help,
    get: () => Promise.resolve({ name, help, type: 'histogram', aggregator: 'sum', values }),
  };

  return metric as unknown as Metric;
}

async function collectLastSuccess(db: Kysely<Database>, registry: Registry): Promise<void> {
  const lastSuccess = sql<number>`extract(epoch from max(runs.finished_at))::float8`;
  const [plans, repositories] = await Promise.all([
    db
      .selectFrom('runs')
      .innerJoin('plans', 'plans.id', 'runs.plan_id')
      .select(['plans.id', 'plans.name', lastSuccess.as('at')])
      .where('runs.kind', '=', 'backup')
      .where('runs.status', 'in', SUCCESS_STATUSES)
      .groupBy(['plans.id', 'plans.name'])
      .execute(),
    db
      .selectFrom('runs')
      .innerJoin('repositories', 'repositories.id', 'runs.repository_id')
      .select(['repositories.id', 'repositories.name', lastSuccess.as('at')])
      .where('runs.kind', '=', 'backup')
      .where('runs.status', 'in', SUCCESS_STATUSES)
      .groupBy(['repositories.id', 'repositories.name'])
      .execute(),
  ]);

  const perPlan = new Gauge({
    name: 'borgflow_plan_last_success_timestamp_seconds',
    help: 'When the newest succeeded (or warning) backup of each plan finished, unix seconds',
    labelNames: ['plan_id', 'plan'],
    registers: [registry],
  });
  const perRepository = new Gauge({
    name: 'borgflow_repository_last_success_timestamp_seconds',
    help: 'When the newest succeeded (or warning) backup into each repository finished, unix seconds',
    labelNames: ['repository_id', 'repository'],
    registers: [registry],
  });
  for (const row of plans) perPlan.set({ plan_id: row.id, plan: row.name }, row.at);
  for (const row of repositories) {
    perRepository.set({ repository_id: row.id, repository: row.name }, row.at);
  }
}

async function collectRepositories(db: Kysely<Database>, registry: Registry): Promise<void> {
  const rows = await db.selectFrom('repositories').select(['id', 'name', 'stats']).execute();

  const labelNames = ['repository_id', 'repository'];
  const original = new Gauge({
    name: 'borgflow_repository_original_bytes',
    help: 'Size of all archives before compression and deduplication, as of the last refresh',
    labelNames,
    registers: [registry],
  });
  const deduplicated = new Gauge({
    name: 'borgflow_repository_deduplicated_bytes',
    help: 'Space the repository takes after compression and deduplication, as of the last refresh',
    labelNames,
    registers: [registry],
  });
  const archives = new Gauge({
    name: 'borgflow_repository_archives',
    help: 'Archives in the repository, as of the last refresh',
    labelNames,
    registers: [registry],
  });
  for (const row of rows) {
    const labels = { repository_id: row.id, repository: row.name };
    const stats = row.stats ?? {};
    // A repository never refreshed has no figures yet: absent, rather than a misleading zero.
    if (typeof stats.originalSize === 'number') original.set(labels, stats.originalSize);
    if (typeof stats.deduplicatedSize === 'number') {
      deduplicated.set(labels, stats.deduplicatedSize);
    }
    if (typeof stats.archiveCount === 'number') archives.set(labels, stats.archiveCount);
  }
}

/**
 * Worker capacity as Temporal sees it: activity slots in use per worker from the workers' own
 * heartbeats (ListWorkers), and pollers per task queue type (DescribeTaskQueue). Either may be
 * missing (an older server, heartbeats disabled); `borgflow_temporal_up` says whether Temporal
 * answered at all.
 */
async function collectTemporal(sources: MetricsSources, registry: Registry): Promise<void> {
  const up = new Gauge({
    name: 'borgflow_temporal_up',
    help: 'Whether Temporal answered the last scrape (1) or not (0)',
    registers: [registry],
  });
  const pollers = new Gauge({
    name: 'borgflow_task_queue_pollers',
    help: "Workers polling Borgflow's task queue, by task type",
    labelNames: ['type'],
    registers: [registry],
  });
  const slotsUsed = new Gauge({
    name: 'borgflow_worker_activity_slots_used',
    help: 'Activity task slots in use, per worker, from its last heartbeat to Temporal',
    labelNames: ['worker'],
    registers: [registry],
  });
  const slotsAvailable = new Gauge({
    name: 'borgflow_worker_activity_slots_available',
    help: 'Activity task slots free, per worker, from its last heartbeat to Temporal',
    labelNames: ['worker'],
    registers: [registry],
  });

  // Bounded: with Temporal down, an unbounded call waits out gRPC's own retries (about 20 s) and
  // the whole scrape times out, losing the database figures just when `temporal_up 0` matters.
  const deadline = Date.now() + TEMPORAL_SCRAPE_BUDGET_MS;
  try {
    const counts = await sources.temporal.withDeadline(deadline, () => pollerCounts(sources));
    for (const [type, count] of Object.entries(counts)) pollers.set({ type }, count);
    up.set(1);
  } catch {
    up.set(0);
    return;
  }
  const heartbeats = await sources.temporal.withDeadline(deadline, () => workerHeartbeats(sources));
  for (const worker of heartbeats) {
    slotsUsed.set({ worker: worker.identity }, worker.used);
    slotsAvailable.set({ worker: worker.identity }, worker.available);
  }
}

async function pollerCounts({ temporal, config }: MetricsSources) {
  const { TaskQueueType } = temporalApi.enums.v1;
  const describe = (taskQueueType: temporalApi.enums.v1.TaskQueueType) =>
    temporal.workflowService.describeTaskQueue({
      namespace: config.temporalNamespace,
      taskQueue: { name: config.taskQueue },
      taskQueueType,
    });
  const [workflow, activity] = await Promise.all([
    describe(TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
    describe(TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
  ]);

  return { workflow: workflow.pollers.length, activity: activity.pollers.length };
}

async function workerHeartbeats({ temporal, config }: MetricsSources) {
  try {
    const { workersInfo } = await temporal.workflowService.listWorkers({
      namespace: config.temporalNamespace,
      query: `TaskQueue = "${config.taskQueue}"`,
      pageSize: 100,
    });

    return workersInfo.flatMap(({ workerHeartbeat: beat }) =>
      beat?.activityTaskSlotsInfo
        ? [
            {
              identity: beat.workerIdentity ?? beat.workerInstanceKey ?? 'unknown',
              used: beat.activityTaskSlotsInfo.currentUsedSlots ?? 0,
              available: beat.activityTaskSlotsInfo.currentAvailableSlots ?? 0,
            },
          ]
        : [],
    );
  } catch {
    // Servers without worker heartbeats answer Unimplemented: those figures are simply absent.
    return [];
  }
}
