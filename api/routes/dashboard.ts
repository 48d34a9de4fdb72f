import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { RUN_STATUSES, type RunKind, type RunStatus } from '../../core/runs';
import { describePlanSchedule } from '../../core/temporal/plan-schedules';
import type { RouteDependencies } from '../auth/services';
import { toRepositoryResponses } from '../repositories/repository-records';
import {
  assessPlanHealth,
  HEALTH_RULES,
  healthProperties,
  UNSETTLED_STATUSES,
  type SettledRun,
} from '../runs/health';
import { toRunResponse } from '../runs/run-response';
import { alwaysSent, withErrorResponses, schemaRef } from '../schemas/common';

/** Failed runs older than this no longer ask for attention on the dashboard. */
const ATTENTION_WINDOW_DAYS = 7;
const ATTENTION_LIMIT = 20;

const dashboardSchema = {
  type: 'object',
  required: ['repositories', 'plans', 'runsNeedingAttention', 'totals'],
  properties: {
    repositories: { type: 'array', items: schemaRef('Repository') },
    plans: {
      type: 'array',
      items: alwaysSent({
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          repositoryId: { type: 'string' },
          enabled: { type: 'boolean' },
          lastSuccessAt: { type: ['string', 'null'], format: 'date-time' },
          lastRunStatus: { type: ['string', 'null'], enum: [...RUN_STATUSES, null] },
          nextRunAt: { type: ['string', 'null'], format: 'date-time' },
          ...healthProperties,
        },
      }),
    },
    runsNeedingAttention: { type: 'array', items: schemaRef('Run') },
    totals: alwaysSent({
      properties: { originalSize: { type: 'number' }, deduplicatedSize: { type: 'number' } },
    }),
  },
} as const;

/** One request for the overview page: health of every plan and what needs a person. */
export async function dashboardRoutes(
  app: FastifyInstance,
  deps: RouteDependencies,
): Promise<void> {
  const { db, config, temporal, logger } = deps;

  app.get(
    '/api/dashboard',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['dashboard'],
        summary: 'Repositories and plans with their health, and runs to look at',
        description: HEALTH_RULES,
        response: withErrorResponses({ 200: dashboardSchema }),
      },
    },
    async () => {
      const [repositories, plans, lastSuccesses, lastRuns, settledPlanRuns, attention] =
        await Promise.all([
          db.selectFrom('repositories').selectAll().orderBy('name').execute(),
          db.selectFrom('plans').selectAll().orderBy('name').execute(),
          db
            .selectFrom('runs')
            .select(['plan_id', (eb) => eb.fn.max('finished_at').as('last_success_at')])
            .where('kind', '=', 'backup')
            .where('status', 'in', ['succeeded', 'warning'])
            .where('plan_id', 'is not', null)
            .groupBy('plan_id')
            .execute(),
          db
            .selectFrom('runs')
            .select(['plan_id', 'status'])
            .distinctOn('plan_id')
            .where('kind', '=', 'backup')
            .where('plan_id', 'is not', null)
            .orderBy('plan_id')
            .orderBy('created_at', 'desc')
            .execute(),
          db
            .selectFrom('runs')
            .select(['plan_id', 'kind', 'status', 'stats'])
            .distinctOn('plan_id')
            .where('kind', '=', 'backup')
            .where('plan_id', 'is not', null)
            .where('status', 'not in', UNSETTLED_STATUSES)
            .orderBy('plan_id')
            .orderBy('created_at', 'desc')
            .execute(),
          db
            .selectFrom('runs')
            .selectAll()
            .where((eb) =>
              eb.or([
                eb('status', '=', 'waiting'),
                eb.and([
                  eb('status', '=', 'failed'),
                  eb('retried_by', 'is', null),
                  eb(
                    'created_at',
                    '>',
                    sql<Date>`now() - make_interval(days => ${ATTENTION_WINDOW_DAYS})`,
                  ),
                ]),
              ]),
            )
            // Waiting runs first: they hold a repository until someone answers.
            .orderBy(sql`status = 'waiting'`, 'desc')
            .orderBy('created_at', 'desc')
            .limit(ATTENTION_LIMIT)
            .execute(),
        ]);

      const successByPlan = new Map(lastSuccesses.map((row) => [row.plan_id, row.last_success_at]));
      const statusByPlan = new Map(lastRuns.map((row) => [row.plan_id, row.status]));
      const settledRunByPlan = new Map(
        settledPlanRuns.map((row) => [row.plan_id, toSettledRun(row)]),
      );
      const nextRuns = await Promise.all(
        plans.map((plan) =>
          plan.schedule_cron && plan.enabled
            ? describePlanSchedule(temporal, plan.id).catch((error: unknown) => {
                logger.warn({ err: error, planId: plan.id }, 'plan schedule not described');
                return undefined;
              })
            : Promise.resolve(undefined),
        ),
      );
      const repositoryResponses = await toRepositoryResponses(db, repositories);
      return {
        repositories: repositoryResponses,
        plans: plans.map((plan, index) => {
          const lastSuccessAt = successByPlan.get(plan.id) ?? null;
          const assessment = assessPlanHealth({
            lastSuccessAt,
            latestRun: settledRunByPlan.get(plan.id),
          });
          return {
            id: plan.id,
            name: plan.name,
            repositoryId: plan.repository_id,
            enabled: plan.enabled,
            lastSuccessAt: lastSuccessAt?.toISOString() ?? null,
            lastRunStatus: statusByPlan.get(plan.id) ?? null,
            nextRunAt: nextRuns[index]?.nextRuns[0]?.toISOString() ?? null,
            health: assessment.health,
            healthReason: assessment.reason,
            needsAttention: assessment.needsAttention,
          };
        }),
        runsNeedingAttention: attention.map((row) => toRunResponse(row, config)),
        totals: {
          originalSize: sum(
            repositoryResponses.map((repository) => repository.stats?.originalSize),
          ),
          deduplicatedSize: sum(
            repositoryResponses.map((repository) => repository.stats?.deduplicatedSize),
          ),
        },
      };
    },
  );
}

function toSettledRun(row: {
  kind: string;
  status: string;
  stats: Record<string, unknown> | null;
}): SettledRun {
  // The columns are plain text; the workflows only ever write the vocabulary of core/runs.
  return { kind: row.kind as RunKind, status: row.status as RunStatus, stats: row.stats };
}

function sum(values: unknown[]): number {
  return values.reduce<number>(
    (total, value) => total + (typeof value === 'number' ? value : 0),
    0,
  );
}
