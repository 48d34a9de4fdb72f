import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretContexts } from '../../core/secrets/contexts';
import {
  adminSession,
  createApiTestContext,
  createUserSession,
  type ApiTestContext,
  type BrowserSession,
} from '../helpers/api';
import { startApiWorker } from '../helpers/temporal-worker';

const PASSPHRASE = 'key-rotation-api-passphrase-81c2';
const NEW_PASSPHRASE = 'key-rotation-api-new-passphrase-5e0b';

describe('POST /api/repositories/:id/rotate-key', () => {
  let context: ApiTestContext;
  let worker: Awaited<ReturnType<typeof startApiWorker>>;
  let admin: BrowserSession;
  let operator: BrowserSession;
  let roots: string;

  beforeAll(async () => {
    roots = await mkdtemp(path.join(os.tmpdir(), 'borgflow-rotate-'));
    await mkdir(path.join(roots, 'repositories'), { recursive: true });
    context = await createApiTestContext({
      TASK_QUEUE: `api-rotate-${randomBytes(4).toString('hex')}`,
      REPOSITORY_ROOTS: path.join(roots, 'repositories'),
    });
    worker = await startApiWorker(context);
    admin = await adminSession(context.app);
    operator = await createUserSession(context.app, admin, 'operator');
  });

  afterAll(async () => {
    await worker?.close();
    await context?.close();
    await rm(roots, { recursive: true, force: true });
  });

  async function createRepository(name: string): Promise<string> {
    const response = await context.app.inject({
      method: 'POST',
      url: '/api/repositories',
      headers: admin.headers,
      payload: {
        name,
        location: path.join(roots, 'repositories', name),
        passphrase: PASSPHRASE,
        mode: 'create',
      },
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<{ id: string }>().id;
  }

  async function finished(runId: string) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const response = await context.app.inject({
        method: 'GET',
        url: `/api/runs/${runId}`,
        headers: admin.headers,
      });
      const run = response.json<{ status: string }>();
      if (!['queued', 'running', 'waiting'].includes(run.status)) return run;
      if (Date.now() > deadline) throw new Error(`run ${runId} still ${run.status}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async function storedPassphrase(repositoryId: string) {
    const row = await context.database.db
      .selectFrom('repositories')
      .select(['passphrase_secret', 'pending_passphrase_secret'])
      .where('id', '=', repositoryId)
      .executeTakeFirstOrThrow();
    return {
      current: context.secrets.decrypt(
        row.passphrase_secret!,
        secretContexts.repositoryPassphrase(repositoryId),
      ),
      hasPending: row.pending_passphrase_secret !== null,
    };
  }

  it('rotates to the given passphrase and never echoes it', async () => {
    const repositoryId = await createRepository('given');

    const response = await context.app.inject({
      method: 'POST',
      url: `/api/repositories/${repositoryId}/rotate-key`,
      headers: admin.headers,
      payload: { newPassphrase: NEW_PASSPHRASE },
    });

    expect(response.statusCode, response.body).toBe(202);
    expect(response.body).not.toContain(NEW_PASSPHRASE);
    const run = await finished(response.json<{ run: { id: string } }>().run.id);
    expect(run.status).toBe('succeeded');
    expect(await storedPassphrase(repositoryId)).toEqual({
      current: NEW_PASSPHRASE,
      hasPending: false,
    });
  });

  it('generates a passphrase of at least 32 characters when none is given', async () => {
    const repositoryId = await createRepository('generated');

    const response = await context.app.inject({
      method: 'POST',
      url: `/api/repositories/${repositoryId}/rotate-key`,
      headers: admin.headers,
    });

    expect(response.statusCode, response.body).toBe(202);
    await finished(response.json<{ run: { id: string } }>().run.id);
    const { current } = await storedPassphrase(repositoryId);
    expect(current).not.toBe(PASSPHRASE);
    expect(current.length).toBeGreaterThanOrEqual(32);
  });

  it('is for administrators only and refuses a short passphrase', async () => {
    const repositoryId = await createRepository('refused');

    const asOperator = await context.app.inject({
      method: 'POST',
      url: `/api/repositories/${repositoryId}/rotate-key`,
      headers: operator.headers,
    });
    const tooShort = await context.app.inject({
      method: 'POST',
      url: `/api/repositories/${repositoryId}/rotate-key`,
      headers: admin.headers,
      payload: { newPassphrase: 'short' },
    });

    expect(asOperator.statusCode).toBe(403);
    expect(tooShort.statusCode).toBe(400);
    expect(tooShort.json()).toMatchObject({ error: { field: 'body.newPassphrase' } });
  });
});
