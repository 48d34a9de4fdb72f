import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { RUN_STATUSES } from '../../core/runs';
import { describePlanSchedule } from '../../core/temporal/plan-schedules';
import type { RouteDependencies } from '../auth/services';
import { toRepositoryResponses } from '../repositories/repository-records';
import { assessPlanHealth, HEALTH_RULES, healthProperties } from '../runs/health';
import { latestPlanBackups } from '../runs/latest-runs';
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
      const [repositories, plans, attention] = await Promise.all([
        db.selectFrom('repositories').selectAll().orderBy('name').execute(),
        db.selectFrom('plans').selectAll().orderBy('name').execute(),
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

      const backupsByPlan = await latestPlanBackups(
        db,
        plans.map((plan) => plan.id),
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
          const backups = backupsByPlan.get(plan.id);
          const lastSuccessAt = backups?.lastSuccessAt ?? null;
          const assessment = assessPlanHealth({ lastSuccessAt, latestRun: backups?.latestSettled });
          return {
            id: plan.id,
            name: plan.name,
            repositoryId: plan.repository_id,
            enabled: plan.enabled,
            lastSuccessAt: lastSuccessAt?.toISOString() ?? null,
            lastRunStatus: backups?.lastRunStatus ?? null,
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

function sum(values: unknown[]): number {
  return values.reduce<number>(
    (total, value) => total + (typeof value === 'number' ? value : 0),
    0,
  );
}
