import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../api/server';
import { createLogger } from '../../core/logger';
import { adminSession, createApiTestContext, type ApiTestContext } from '../helpers/api';

// Port 1 on loopback: nothing listens there, so every call fails the way a stopped Temporal does.
const NOBODY_LISTENS = '127.0.0.1:1';

describe('the API while Temporal is unreachable', () => {
  let context: ApiTestContext;
  let unreachableConnection: Connection;
  let appWithoutTemporal: FastifyInstance;
  let admin: Awaited<ReturnType<typeof adminSession>>;
  const loggedLines: string[] = [];

  beforeAll(async () => {
    context = await createApiTestContext();
    // Lazy: connecting up front would fail here, before the route is ever asked.
    unreachableConnection = Connection.lazy({ address: NOBODY_LISTENS });
    appWithoutTemporal = await buildServer({
      config: context.config,
      logger: createLogger({
        level: 'debug',
        name: 'api',
        destination: { write: (line: string) => void loggedLines.push(line) },
      }),
      db: context.database.db,
      sql: context.database.sql,
      secrets: context.secrets,
      temporal: new Client({ connection: unreachableConnection, namespace: 'default' }),
    });
    await appWithoutTemporal.ready();
    admin = await adminSession(context.app);
  });

  afterAll(async () => {
    await appWithoutTemporal?.close();
    await unreachableConnection?.close();
    await context?.close();
  });

  it('answers /api/about, with the Temporal version as null', async () => {
    const startedAt = Date.now();

    const response = await appWithoutTemporal.inject({
      method: 'GET',
      url: '/api/about',
      headers: admin.headers,
    });

    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      borgflowVersion: expect.stringMatching(/^\d+\.\d+\.\d+/) as string,
      temporal: { address: expect.any(String) as string, serverVersion: null },
    });
    // The route gives up on Temporal after a short deadline instead of hanging the page.
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(loggedLines.join('')).toContain('Temporal did not report its version');
  });

  it('answers /metrics in time, with temporal_up 0 and the database figures', async () => {
    const startedAt = Date.now();

    const response = await appWithoutTemporal.inject({
      method: 'GET',
      url: '/metrics',
      headers: admin.headers,
    });

    expect(response.statusCode, response.body).toBe(200);
    expect(response.body).toMatch(/^borgflow_temporal_up 0$/m);
    expect(response.body).toMatch(/^borgflow_runs_waiting 0$/m);
    // Prometheus gives up on a scrape after 10 s by default.
    expect(Date.now() - startedAt).toBeLessThan(8_000);
  });
});
