import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { RUN_STATUSES, type RunKind, type RunStatus } from '../../core/runs';
import { describePlanSchedule } from '../../core/temporal/plan-schedules';
import type { RouteDependencies } from '../auth/services';
import { toRepositoryResponse } from '../repositories/repository-records';
import {
  assessPlanHealth,
  assessRepositoryHealth,
  HEALTH_RULES,
  HEALTH_VALUES,
  REPOSITORY_CARE_KINDS,
  type SettledRun,
} from '../runs/health';
import { toRunResponse } from '../runs/run-response';
import { alwaysSent, withErrorResponses, schemaRef } from '../schemas/common';

/** Failed runs older than this no longer ask for attention on the dashboard. */
const ATTENTION_WINDOW_DAYS = 7;
const ATTENTION_LIMIT = 20;

/** Queued and running runs have no outcome yet; health looks at the latest one that has. */
const UNSETTLED_STATUSES: RunStatus[] = ['queued', 'running'];

/** The same three fields on every repository and plan of the dashboard. */
const healthProperties = {
  health: { type: 'string', enum: HEALTH_VALUES },
  healthReason: {
    type: 'string',
    description:
      'Why the health is what it is, for a person: "Never checked", "Last backup failed".',
  },
  needsAttention: {
    type: 'boolean',
    description: 'A run failed, found problems or waits; the dashboard lists these first.',
  },
} as const;

const dashboardSchema = {
  type: 'object',
  required: ['repositories', 'plans', 'runsNeedingAttention', 'totals'],
  properties: {
    repositories: {
      type: 'array',
      items: {
        allOf: [
          schemaRef('Repository'),
          alwaysSent({
            properties: {
              healthReason: healthProperties.healthReason,
              needsAttention: healthProperties.needsAttention,
            },
          }),
        ],
      },
    },
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
      const [
        repositories,
        plans,
        lastSuccesses,
        lastRuns,
        settledRepositoryRuns,
        settledPlanRuns,
        attention,
      ] = await Promise.all([
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
        // Per kind, so a later good backup does not hide a failed check.
        db
          .selectFrom('runs')
          .select(['repository_id', 'kind', 'status', 'stats'])
          .distinctOn(['repository_id', 'kind'])
          .where('repository_id', 'is not', null)
          .where('kind', 'in', REPOSITORY_CARE_KINDS)
          .where('status', 'not in', UNSETTLED_STATUSES)
          .orderBy('repository_id')
          .orderBy('kind')
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
      const settledRunsByRepository = new Map<string, SettledRun[]>();
      for (const row of settledRepositoryRuns) {
        const runs = settledRunsByRepository.get(row.repository_id ?? '') ?? [];
        runs.push(toSettledRun(row));
        settledRunsByRepository.set(row.repository_id ?? '', runs);
      }
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
      const repositoryResponses = repositories.map((repository) => {
        const assessment = assessRepositoryHealth({
          lastArchiveAt: repository.last_archive_at,
          lastCheckAt: repository.last_check_at,
          latestRuns: settledRunsByRepository.get(repository.id) ?? [],
        });
        return {
          ...toRepositoryResponse(repository),
          health: assessment.health,
          healthReason: assessment.reason,
          needsAttention: assessment.needsAttention,
        };
      });
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
