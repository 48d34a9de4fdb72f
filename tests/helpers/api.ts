import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect, inject } from 'vitest';
import type { Role } from '../../api/auth/access';
import { DEFAULT_ADMIN_PASSWORD, ensureDefaultAdmin } from '../../api/auth/default-admin';
import { SESSION_COOKIE_NAME } from '../../api/auth/sessions';
import { buildServer } from '../../api/server';
import { loadConfig, type Config } from '../../core/config';
import type { DatabaseHandle } from '../../core/db/database';
import { createLogger } from '../../core/logger';
import { FINISHED_STATUSES } from '../../core/runs';
import { SecretBox } from '../../core/secrets/secret-box';
import { createTestDatabase } from './database';

/** The administrator's password after the first-start change every test context performs. */
export const ADMIN_PASSWORD = 'tidal-orchid-lantern-42';
/** What `inject` sends as Host; a browser on the same site sends this as Origin. */
export const SAME_ORIGIN = 'http://localhost';

/** Every line the server logged, as pino wrote it. */
export interface CapturedLogs {
  lines: string[];
  text(): string;
}

/** A signed-in browser: the session cookie plus the Origin a same-site page sends. */
export interface BrowserSession {
  userId: string;
  username: string;
  headers: { cookie: string; origin: string };
}

export interface ApiTestContext {
  app: FastifyInstance;
  database: DatabaseHandle & { url: string };
  secrets: SecretBox;
  config: Config;
  logs: CapturedLogs;
  temporal: Client;
  close(): Promise<void>;
}

let addressCounter = 0;
/**
 * A distinct client address per sign-in, so a test file's many sign-ins stay under the per-address
 * rate limit of the login route (which a dedicated test exercises on purpose).
 */
export function nextClientAddress(): string {
  addressCounter += 1;
  return `10.77.${Math.floor(addressCounter / 250)}.${(addressCounter % 250) + 1}`;
}

/** The real server on a fresh database, a random master key, a temporary DATA_DIR and Temporal. */
export async function createApiTestContext(
  env: Record<string, string> = {},
): Promise<ApiTestContext> {
  const database = await createTestDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'borgflow-api-'));
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'debug', ...env });
  const lines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    name: 'api',
    destination: { write: (line: string) => void lines.push(line) },
  });
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  const temporal = new Client({ connection, namespace: 'default' });
  const secrets = new SecretBox(randomBytes(32));
  await ensureDefaultAdmin(database.db, config, logger);
  const app = await buildServer({
    config,
    logger,
    db: database.db,
    sql: database.sql,
    secrets,
    temporal,
  });
  await app.ready();

  return {
    app,
    database,
    secrets,
    config,
    logs: { lines, text: () => lines.join('') },
    temporal,
    close: async () => {
      await app.close();
      await connection.close();
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The `name=value` pair of the session cookie a response set, or undefined. */
export function sessionCookieOf(response: LightMyRequestResponse): string | undefined {
  const cookie = response.cookies.find((entry) => entry.name === SESSION_COOKIE_NAME);
  return cookie && cookie.value !== '' ? `${cookie.name}=${cookie.value}` : undefined;
}

export async function login(
  app: FastifyInstance,
  username: string,
  password: string,
): Promise<BrowserSession> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username, password },
    remoteAddress: nextClientAddress(),
  });
  expect(response.statusCode, response.body).toBe(200);
  const cookie = sessionCookieOf(response);
  if (!cookie) throw new Error('sign-in set no session cookie');
  const { user } = response.json<{ user: { id: string; username: string } }>();

  return { userId: user.id, username: user.username, headers: { cookie, origin: SAME_ORIGIN } };
}

/** Signs in with a first password and replaces it, as a new user must; returns the new session. */
export async function loginAndChangePassword(
  app: FastifyInstance,
  username: string,
  initialPassword: string,
  newPassword: string,
): Promise<BrowserSession> {
  const first = await login(app, username, initialPassword);
  const response = await app.inject({
    method: 'POST',
    url: '/api/auth/password',
    headers: first.headers,
    payload: { currentPassword: initialPassword, newPassword },
  });
  expect(response.statusCode, response.body).toBe(200);
  const cookie = sessionCookieOf(response);
  if (!cookie) throw new Error('the password change set no session cookie');

  return { ...first, headers: { cookie, origin: SAME_ORIGIN } };
}

/** The default administrator, with its initial password already changed to ADMIN_PASSWORD. */
export function adminSession(app: FastifyInstance): Promise<BrowserSession> {
  return loginAndChangePassword(app, 'admin', DEFAULT_ADMIN_PASSWORD, ADMIN_PASSWORD);
}

/** Creates a user of `role` through the API and signs them in with their password changed. */
export async function createUserSession(
  app: FastifyInstance,
  admin: BrowserSession,
  role: Role,
  username = `${role}-${randomBytes(3).toString('hex')}`,
): Promise<BrowserSession & { password: string }> {
  const initialPassword = `initial-${randomBytes(8).toString('hex')}`;
  const response = await app.inject({
    method: 'POST',
    url: '/api/users',
    headers: admin.headers,
    payload: { username, password: initialPassword, role },
  });
  expect(response.statusCode, response.body).toBe(201);
  const password = `changed-${randomBytes(8).toString('hex')}`;
  const session = await loginAndChangePassword(app, username, initialPassword, password);

  return { ...session, password };
}

/** Creates an API token for the session's user and returns the secret. */
export async function createToken(
  app: FastifyInstance,
  session: BrowserSession,
  payload: Record<string, unknown> = { name: 'test token' },
): Promise<string> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/tokens',
    headers: session.headers,
    payload,
  });
  expect(response.statusCode, response.body).toBe(201);

  return response.json<{ token: string }>().token;
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

/** Whether a run has reached one of its final statuses. */
export function hasRunEnded(run: { status: string }): boolean {
  return (FINISHED_STATUSES as readonly string[]).includes(run.status);
}

/**
 * Polls `GET /api/runs/:id` as `session` until `isReached` holds for the answer (by default: the
 * run has ended); fails after `timeoutMs`. For tests that watch a run the way a client does.
 */
export async function waitForApiRun<Run extends { status: string }>(
  app: FastifyInstance,
  session: BrowserSession,
  runId: string,
  isReached: (run: Run) => boolean = hasRunEnded,
  timeoutMs = 60_000,
): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await app.inject({
      method: 'GET',
      url: `/api/runs/${runId}`,
      headers: session.headers,
    });
    expect(response.statusCode, response.body).toBe(200);
    const run = response.json<Run>();
    if (isReached(run)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${run.status}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Creates (borg init) a passphrase-protected local repository through the API; returns its id. */
export async function createLocalRepository(
  app: FastifyInstance,
  session: BrowserSession,
  repository: { name: string; location: string; passphrase: string },
): Promise<string> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/repositories',
    headers: session.headers,
    payload: { ...repository, mode: 'create' },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ id: string }>().id;
}
