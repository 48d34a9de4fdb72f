import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { RouteDependencies } from '../auth/services';
import { alwaysSent, withErrorResponses } from '../schemas/common';

const PACKAGE_JSON = new URL('../../package.json', import.meta.url);

// The About page is where people look when something is wrong, so a Temporal that is down or slow
// must cost the page a couple of seconds at most, never the whole answer.
const TEMPORAL_VERSION_TIMEOUT_MS = 2_000;

const aboutSchema = {
  type: 'object',
  required: ['borgflowVersion', 'borgVersions', 'temporal'],
  properties: {
    borgflowVersion: { type: 'string' },
    borgVersions: {
      type: 'array',
      items: alwaysSent({
        properties: {
          hostId: { type: 'string' },
          hostname: { type: 'string' },
          version: { type: ['string', 'null'], description: 'Null when borg is missing there.' },
          lastSeenAt: { type: 'string', format: 'date-time' },
        },
      }),
    },
    temporal: alwaysSent({
      properties: {
        address: { type: 'string' },
        namespace: { type: 'string' },
        serverVersion: {
          type: ['string', 'null'],
          description: 'What the Temporal server reports; null when it does not answer in time.',
        },
        uiUrl: { type: 'string' },
      },
    }),
  },
} as const;

/** Versions and where Temporal is, for support requests and the About page. */
export async function aboutRoutes(app: FastifyInstance, deps: RouteDependencies): Promise<void> {
  const { db, config, temporal, logger } = deps;

  async function temporalServerVersion(): Promise<string | null> {
    try {
      const info = await temporal.withDeadline(Date.now() + TEMPORAL_VERSION_TIMEOUT_MS, () =>
        temporal.workflowService.getSystemInfo({}),
      );
      return info.serverVersion || null;
    } catch (error) {
      logger.warn({ err: error }, 'Temporal did not report its version');
      return null;
    }
  }

  const { version } = JSON.parse(await readFile(PACKAGE_JSON, 'utf8')) as { version: string };

  app.get(
    '/api/about',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['about'],
        summary: 'Borgflow’s version, each worker’s borg version, and the Temporal connection',
        response: withErrorResponses({ 200: aboutSchema }),
      },
    },
    async () => {
      const [workers, temporalVersion] = await Promise.all([
        db.selectFrom('workers').selectAll().orderBy('last_seen_at', 'desc').execute(),
        temporalServerVersion(),
      ]);

      return {
        borgflowVersion: version,
        borgVersions: workers.map((worker) => ({
          hostId: worker.id,
          hostname: worker.hostname,
          version: worker.borg_version,
          lastSeenAt: worker.last_seen_at.toISOString(),
        })),
        temporal: {
          address: config.temporalAddress ?? `127.0.0.1:${config.temporalPort}`,
          namespace: config.temporalNamespace,
          serverVersion: temporalVersion,
          uiUrl: config.temporalUiUrl,
        },
      };
    },
  );
}
