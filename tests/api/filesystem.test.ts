import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminSession,
  createApiTestContext,
  createUserSession,
  type ApiTestContext,
  type BrowserSession,
} from '../helpers/api';
import { startApiWorker } from '../helpers/temporal-worker';

describe('GET /api/filesystem/restore-targets', () => {
  let context: ApiTestContext;
  let worker: Awaited<ReturnType<typeof startApiWorker>>;
  let operator: BrowserSession;
  let viewer: BrowserSession;
  let restores: string;

  beforeAll(async () => {
    restores = await mkdtemp(path.join(os.tmpdir(), 'borgflow-restore-targets-'));
    await mkdir(path.join(restores, 'monday'));
    await writeFile(path.join(restores, 'notes.txt'), 'not a folder\n');
    await symlink('/etc', path.join(restores, 'escape'));
    context = await createApiTestContext({
      RESTORE_ROOTS: restores,
      TASK_QUEUE: `api-filesystem-${randomBytes(4).toString('hex')}`,
    });
    worker = await startApiWorker(context);
    const admin = await adminSession(context.app);
    operator = await createUserSession(context.app, admin, 'operator');
    viewer = await createUserSession(context.app, admin, 'viewer');
  });

  afterAll(async () => {
    await worker?.close();
    await context?.close();
    await rm(restores, { recursive: true, force: true });
  });

  const list = (session: BrowserSession, query = '') =>
    context.app.inject({
      method: 'GET',
      url: `/api/filesystem/restore-targets${query}`,
      headers: session.headers,
    });

  it('lists the restore roots, then only the folders of one', async () => {
    const top = await list(operator);
    const inside = await list(operator, `?path=${encodeURIComponent(restores)}`);

    expect(top.json()).toMatchObject({ path: '', roots: [restores] });
    expect(inside.statusCode, inside.body).toBe(200);
    // The link to /etc is a folder by what it points to, but following it leaves the roots.
    expect(
      inside.json<{ entries: { name: string }[] }>().entries.map((entry) => entry.name),
    ).toEqual(['escape', 'monday']);
    const escaped = await list(
      operator,
      `?path=${encodeURIComponent(path.join(restores, 'escape'))}`,
    );
    expect(escaped.statusCode).toBe(400);
    expect(escaped.json().error.code).toBe('PATH_NOT_ALLOWED');
  });

  it('refuses a path written outside the roots before asking a worker', async () => {
    const outside = await list(operator, '?path=/etc');
    const missing = await list(
      operator,
      `?path=${encodeURIComponent(path.join(restores, 'gone'))}`,
    );

    expect(outside.statusCode).toBe(400);
    expect(outside.json().error.code).toBe('PATH_NOT_ALLOWED');
    expect(missing.statusCode).toBe(404);
  });

  it('refuses viewers, who cannot restore', async () => {
    expect((await list(viewer)).statusCode).toBe(403);
  });
});
