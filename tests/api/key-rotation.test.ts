import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretContexts } from '../../core/secrets/contexts';
import {
  adminSession,
  type ApiTestContext,
  type BrowserSession,
  createApiTestContext,
  createLocalRepository,
  createUserSession,
  waitForApiRun,
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

  function createRepository(name: string): Promise<string> {
    return createLocalRepository(context.app, admin, {
      name,
      location: path.join(roots, 'repositories', name),
      passphrase: PASSPHRASE,
    });
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
    const run = await waitForApiRun(
      context.app,
      admin,
      response.json<{ run: { id: string } }>().run.id,
    );
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
    await waitForApiRun(context.app, admin, response.json<{ run: { id: string } }>().run.id);
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

  describe('rotate-ssh-key', () => {
    /** An ssh:// repository row on a port where nothing listens, with a stored key. */
    async function unreachableSshRepository(): Promise<{ id: string; keyId: string }> {
      const created = await context.app.inject({
        method: 'POST',
        url: '/api/ssh-keys',
        headers: admin.headers,
        payload: { name: `rotation-${randomBytes(3).toString('hex')}`, type: 'ed25519' },
      });
      expect(created.statusCode, created.body).toBe(201);
      const keyId = created.json<{ id: string }>().id;
      const id = ulid();
      await context.database.db
        .insertInto('repositories')
        .values({
          id,
          name: `remote-${id}`,
          location: `ssh://borg@127.0.0.1:1/srv/borg/${id}`,
          encryption: 'repokey-blake2',
          passphrase_secret: null,
          pending_passphrase_secret: null,
          key_escrow_secret: null,
          ssh_key_id: keyId,
          remote_path: null,
          upload_rate_limit_kbps: null,
          host_key_fingerprint: null,
        })
        .execute();
      return { id, keyId };
    }

    function rotateSshKey(repositoryId: string, session: BrowserSession, payload?: object) {
      return context.app.inject({
        method: 'POST',
        url: `/api/repositories/${repositoryId}/rotate-ssh-key`,
        headers: session.headers,
        payload,
      });
    }

    it('starts one rotation with ids only in its input and refuses a second one meanwhile', async () => {
      const repository = await unreachableSshRepository();

      const started = await rotateSshKey(repository.id, admin);
      const second = await rotateSshKey(repository.id, admin);

      expect(started.statusCode, started.body).toBe(202);
      const run = started.json<{ run: { id: string; kind: string } }>().run;
      expect(run.kind).toBe('rotate-ssh-key');
      expect(second.statusCode).toBe(409);
      const history = await context.temporal.workflow.getHandle(run.id).fetchHistory();
      const input = JSON.stringify(history.events?.[0]);
      expect(input).not.toContain('PRIVATE KEY');
      const row = await context.database.db
        .selectFrom('runs')
        .select('input')
        .where('id', '=', run.id)
        .executeTakeFirstOrThrow();
      expect(row.input).toMatchObject({
        repositoryId: repository.id,
        fromKeyId: repository.keyId,
        newKeyId: expect.stringMatching(/^[0-9A-Z]{26}$/),
      });
      const cancelled = await context.app.inject({
        method: 'POST',
        url: `/api/runs/${run.id}/cancel`,
        headers: admin.headers,
      });
      expect(cancelled.statusCode, cancelled.body).toBeLessThan(300);
    });

    it('explains which repositories cannot rotate and refuses unsafe paths and operators', async () => {
      const repository = await unreachableSshRepository();
      const local = await createRepository('local-ssh-rotation');

      const localResponse = await rotateSshKey(local, admin);
      const missing = await rotateSshKey(ulid(), admin);
      const unsafe = await rotateSshKey(repository.id, admin, {
        authorizedKeysFile: '.ssh/authorized keys"',
      });
      const badQuota = await rotateSshKey(repository.id, admin, { storageQuota: '10 GB; rm' });
      const asOperator = await rotateSshKey(repository.id, operator);

      expect(localResponse.statusCode).toBe(400);
      expect(localResponse.json().error.message).toContain('ssh://');
      expect(missing.statusCode).toBe(404);
      expect(unsafe.statusCode).toBe(400);
      expect(unsafe.json()).toMatchObject({ error: { field: 'body.authorizedKeysFile' } });
      expect(badQuota.statusCode).toBe(400);
      expect(badQuota.json()).toMatchObject({ error: { field: 'body.storageQuota' } });
      expect(asOperator.statusCode).toBe(403);
    });
  });
});
