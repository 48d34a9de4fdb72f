import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { ApiDependencies } from '../dependencies';

interface Check {
  ok: boolean;
  detail?: string;
}

const checkSchema = {
  type: 'object',
  properties: { ok: { type: 'boolean' }, detail: { type: 'string' } },
};

/** `/healthz` says the process is alive; `/readyz` that it can do its job. */
export async function healthRoutes(app: FastifyInstance, deps: ApiDependencies): Promise<void> {
  app.get(
    '/healthz',
    {
      config: { access: 'public' },
      schema: {
        tags: ['health'],
        response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } } },
      },
    },
    async () => ({ ok: true }),
  );

  app.get(
    '/readyz',
    {
      config: { access: 'public' },
      schema: {
        tags: ['health'],
        response: {
          '2xx': {
            type: 'object',
            properties: {
              ok: { type: 'boolean' },
              database: checkSchema,
              temporal: checkSchema,
              worker: checkSchema,
            },
          },
        },
      },
    },
    async (_request, reply) => {
      const [database, temporal, worker] = await Promise.all([
        checkDatabase(deps),
        checkTemporal(deps),
        checkWorkerPolling(deps),
      ]);
      const ok = database.ok && temporal.ok && worker.ok;

      return reply.status(ok ? 200 : 503).send({ ok, database, temporal, worker });
    },
  );
}

async function checkDatabase({ db }: ApiDependencies): Promise<Check> {
  try {
    await sql`select 1`.execute(db);
    return { ok: true };
  } catch {
    return { ok: false, detail: 'PostgreSQL does not answer' };
  }
}

async function checkTemporal({ temporal }: ApiDependencies): Promise<Check> {
  try {
    await temporal.workflowService.getSystemInfo({});
    return { ok: true };
  } catch {
    return { ok: false, detail: 'Temporal does not answer' };
  }
}

async function checkWorkerPolling({ temporal, config }: ApiDependencies): Promise<Check> {
  try {
    const { pollers } = await temporal.workflowService.describeTaskQueue({
      namespace: config.temporalNamespace,
      taskQueue: { name: config.taskQueue },
    });
    if (pollers.length > 0) return { ok: true };
    return { ok: false, detail: `no worker polls task queue ${config.taskQueue}` };
  } catch {
    return { ok: false, detail: 'cannot ask Temporal about workers' };
  }
}
