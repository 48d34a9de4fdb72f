import { existsSync } from 'node:fs';
import path from 'node:path';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { installAccessControl, markRoutesAsPublicAssets } from './auth/access-control';
import { createAuthServices, type RouteDependencies } from './auth/services';
import type { ApiDependencies } from './dependencies';
import { installErrorHandler } from './error-handler';
import { errorBody } from './errors';
import { registerSharedSchemas, sharedSchemaName } from './schemas/shared-schemas';
import { aboutRoutes } from './routes/about';
import { archiveRoutes } from './routes/archives';
import { auditRoutes } from './routes/audit';
import { authRoutes } from './routes/auth';
import { dashboardRoutes } from './routes/dashboard';
import { filesystemRoutes } from './routes/filesystem';
import { healthRoutes } from './routes/health';
import { keyRotationRoutes } from './routes/key-rotation';
import { maintenanceScheduleRoutes } from './routes/maintenance-schedules';
import { metricsRoutes } from './routes/metrics';
import { notificationTestRoutes } from './routes/notification-tests';
import { notificationRoutes } from './routes/notifications';
import { planRoutes } from './routes/plans';
import { repositoryRoutes } from './routes/repositories';
import { repositoryConnectionRoutes } from './routes/repository-connection';
import { repositoryKeyExportRoutes } from './routes/repository-key-export';
import { repositoryRunRoutes } from './routes/repository-runs';
import { runRoutes } from './routes/runs';
import { sshKeyRoutes } from './routes/ssh-keys';
import { tokenRoutes } from './routes/tokens';
import { userRoutes } from './routes/users';

export const BODY_LIMIT_BYTES = 1024 * 1024;
const WEB_DIST = path.resolve(import.meta.dirname, '..', 'web', 'dist');

/** Builds the whole HTTP application without listening, so tests can `inject` requests. */
export async function buildServer(deps: ApiDependencies): Promise<FastifyInstance> {
  // Typed as Fastify's base logger so the instance keeps Fastify's default generic types.
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const app = Fastify({
    loggerInstance,
    trustProxy: deps.config.trustProxy,
    bodyLimit: BODY_LIMIT_BYTES,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  });
  installErrorHandler(app);
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: { 'img-src': ["'self'", 'data:'], 'style-src': ["'self'", "'unsafe-inline'"] },
    },
    // Served over plain HTTP on loopback by default; HTTPS belongs to the reverse proxy.
    strictTransportSecurity: false,
  });
  await app.register(cookie);
  const auth = createAuthServices(deps);
  // After the cookie parser (its hook must run first), before any route: from here on a route
  // without `config.access` fails to register.
  installAccessControl(app, { db: deps.db, sessions: auth.sessions });
  // Limits only routes that opt in through `config.rateLimit` (sign-in).
  await app.register(rateLimit, { global: false });
  await registerOpenApi(app);
  await app.register(healthRoutes, deps);
  await registerResourceRoutes(app, { ...deps, ...auth });
  await serveWebUi(app);

  return app;
}

async function registerResourceRoutes(app: FastifyInstance, deps: RouteDependencies) {
  await app.register(authRoutes, deps);
  await app.register(userRoutes, deps);
  await app.register(tokenRoutes, deps);
  await app.register(sshKeyRoutes, deps);
  await app.register(notificationRoutes, deps);
  await app.register(notificationTestRoutes, deps);
  await app.register(metricsRoutes, deps);
  await app.register(auditRoutes, deps);
  await app.register(runRoutes, deps);
  await app.register(repositoryRoutes, deps);
  await app.register(repositoryConnectionRoutes, deps);
  await app.register(repositoryRunRoutes, deps);
  await app.register(repositoryKeyExportRoutes, deps);
  await app.register(archiveRoutes, deps);
  await app.register(planRoutes, deps);
  await app.register(maintenanceScheduleRoutes, deps);
  await app.register(filesystemRoutes, deps);
  await app.register(aboutRoutes, deps);
  await app.register(dashboardRoutes, deps);
  await app.register(keyRotationRoutes, deps);
}

async function registerOpenApi(app: FastifyInstance): Promise<void> {
  registerSharedSchemas(app);
  await app.register(swagger, {
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, index) => sharedSchemaName(json, index),
    },
    openapi: {
      info: {
        title: 'Borgflow API',
        version: '1',
        description: 'Durable BorgBackup runs: repositories, plans, runs, archives and restores.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'borgflow_session' },
          token: { type: 'http', scheme: 'bearer' },
        },
      },
    },
  });
  await app.register(async (scope) => {
    markRoutesAsPublicAssets(scope);
    await scope.register(swaggerUi, { routePrefix: '/api/docs' });
  });
  app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, () =>
    app.swagger(),
  );
}

async function serveWebUi(app: FastifyInstance): Promise<void> {
  if (!existsSync(path.join(WEB_DIST, 'index.html'))) {
    app.log.warn({ webDist: WEB_DIST }, 'web ui not built: run npm run build:web');
    return;
  }
  await app.register(async (scope) => {
    markRoutesAsPublicAssets(scope);
    await scope.register(fastifyStatic, { root: WEB_DIST, wildcard: false });
    // Client-side routes (`/runs/abc`) load the single page; unknown API paths stay JSON 404s.
    scope.get('/*', { config: { access: 'public' }, schema: { hide: true } }, (request, reply) => {
      if (request.url.startsWith('/api/')) {
        return reply.status(404).send(errorBody('NOT_FOUND', `No route GET ${request.url}.`));
      }
      return reply.sendFile('index.html');
    });
  });
}
