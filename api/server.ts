import { existsSync } from 'node:fs';
import path from 'node:path';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { ApiDependencies } from './dependencies';
import { installErrorHandler } from './error-handler';
import { errorBody } from './errors';
import { healthRoutes } from './routes/health';

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
    disableRequestLogging: false,
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
  await registerOpenApi(app);
  await app.register(healthRoutes, deps);
  await serveWebUi(app);

  return app;
}

async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
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
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, () =>
    app.swagger(),
  );
}

async function serveWebUi(app: FastifyInstance): Promise<void> {
  if (!existsSync(path.join(WEB_DIST, 'index.html'))) {
    app.log.warn({ webDist: WEB_DIST }, 'web ui not built: run npm run build:web');
    return;
  }
  await app.register(fastifyStatic, { root: WEB_DIST, wildcard: false });
  // Client-side routes (`/runs/abc`) load the single page; unknown API paths stay JSON 404s.
  app.get('/*', { config: { access: 'public' }, schema: { hide: true } }, (request, reply) => {
    if (request.url.startsWith('/api/')) {
      return reply.status(404).send(errorBody('NOT_FOUND', `No route GET ${request.url}.`));
    }
    return reply.sendFile('index.html');
  });
}
