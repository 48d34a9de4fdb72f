import type { FastifyInstance } from 'fastify';
import type { RouteDependencies } from '../auth/services';
import { collectMetrics } from '../metrics/collect';

/**
 * Prometheus metrics of runs, plans, repositories and workers. Viewer access: a scraper uses an
 * API token of a viewer account (`Authorization: Bearer …`).
 */
export async function metricsRoutes(app: FastifyInstance, deps: RouteDependencies): Promise<void> {
  app.get(
    '/metrics',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['metrics'],
        summary: 'Prometheus text exposition of Borgflow metrics',
        produces: ['text/plain'],
      },
    },
    async (_request, reply) => {
      const registry = await collectMetrics(deps);

      return reply.header('content-type', registry.contentType).send(await registry.metrics());
    },
  );
}
