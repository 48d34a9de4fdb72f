import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
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
import { generateSshKeyPair, startSshd, type TestSshd } from '../helpers/sshd';
import { startApiWorker, workflowsLeaking } from '../helpers/temporal-worker';

const PASSPHRASE = 'repository-test-passphrase-3f9a1c-never-in-history';

describe('repository routes', () => {
  let context: ApiTestContext;
  let worker: Awaited<ReturnType<typeof startApiWorker>>;
  let admin: BrowserSession;
  let operator: BrowserSession;
  let roots: string;

  beforeAll(async () => {
    roots = await mkdtemp(path.join(os.tmpdir(), 'borgflow-repositories-'));
    for (const dir of ['repositories', 'sources', 'restores']) {
      await mkdir(path.join(roots, dir), { recursive: true });
    }
    context = await createApiTestContext({
      TASK_QUEUE: `api-repositories-${randomBytes(4).toString('hex')}`,
      REPOSITORY_ROOTS: path.join(roots, 'repositories'),
      SOURCE_ROOTS: path.join(roots, 'sources'),
      RESTORE_ROOTS: path.join(roots, 'restores'),
    });
    worker = await startApiWorker({ ...context, database: context.database });
    admin = await adminSession(context.app);
    operator = await createUserSession(context.app, admin, 'operator');
  });

  afterAll(async () => {
    await worker?.close();
    await context?.close();
    await rm(roots, { recursive: true, force: true });
  });

  async function createRepository(fields: Record<string, unknown>) {
    return context.app.inject({
      method: 'POST',
      url: '/api/repositories',
      headers: admin.headers,
      payload: { encryption: 'repokey-blake2', passphrase: PASSPHRASE, mode: 'create', ...fields },
    });
  }

  async function runStatus(id: string): Promise<string> {
    const row = await context.database.db
      .selectFrom('runs')
      .select('status')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

    return row.status;
  }

  function location(name: string): string {
    return path.join(roots, 'repositories', name);
  }

  describe('POST /api/repositories', () => {
    it('creates a local repository with borg init and escrows its key', async () => {
      const response = await createRepository({ name: 'primary', location: location('primary') });

      expect(response.statusCode, response.body).toBe(201);
      const repository = response.json<{ id: string; hasKeyEscrow: boolean; stats: unknown }>();
      expect(repository).toMatchObject({ hasKeyEscrow: true, stats: { archiveCount: 0 } });
      expect((await stat(path.join(location('primary'), 'config'))).isFile()).toBe(true);
      expect(JSON.stringify(repository)).not.toContain(PASSPHRASE);
    });

    it('refuses to import a location that already has a record with 409', async () => {
      await createRepository({ name: 'twice', location: location('twice') });

      const response = await createRepository({
        name: 'twice-again',
        location: location('twice'),
        mode: 'import',
      });

      expect(response.statusCode, response.body).toBe(409);
      expect(response.json().error.message).toContain(location('twice'));
    });

    it('refuses an import with the wrong passphrase with a 400 naming the borg error', async () => {
      const created = await createRepository({ name: 'locked', location: location('locked') });
      const { id } = created.json<{ id: string }>();
      await context.app.inject({
        method: 'DELETE',
        url: `/api/repositories/${id}`,
        headers: admin.headers,
      });

      const response = await createRepository({
        name: 'locked-import',
        location: location('locked'),
        mode: 'import',
        passphrase: 'not-the-right-passphrase',
      });

      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().error).toMatchObject({ borgError: 'WRONG_PASSPHRASE' });
      expect(response.json().error.message).toMatch(/passphrase is wrong/);
      const rows = await context.database.db
        .selectFrom('repositories')
        .select('id')
        .where('location', '=', location('locked'))
        .execute();
      expect(rows).toHaveLength(0);
    });

    it('imports an existing repository with the right passphrase', async () => {
      const created = await createRepository({ name: 'moved', location: location('moved') });
      await context.app.inject({
        method: 'DELETE',
        url: `/api/repositories/${created.json<{ id: string }>().id}`,
        headers: admin.headers,
      });

      const response = await createRepository({
        name: 'moved-import',
        location: location('moved'),
        mode: 'import',
      });

      expect(response.statusCode, response.body).toBe(201);
      expect(response.json()).toMatchObject({ name: 'moved-import', hasKeyEscrow: true });
    });

    it('answers 409 with REPOSITORY_ALREADY_EXISTS when borg init finds a repository', async () => {
      const created = await createRepository({
        name: 'forgotten',
        location: location('forgotten'),
      });
      await context.app.inject({
        method: 'DELETE',
        url: `/api/repositories/${created.json<{ id: string }>().id}`,
        headers: admin.headers,
      });

      const response = await createRepository({
        name: 'forgotten-again',
        location: location('forgotten'),
      });

      expect(response.statusCode, response.body).toBe(409);
      expect(response.json().error).toMatchObject({ borgError: 'REPOSITORY_ALREADY_EXISTS' });
    });

    it('refuses a local location outside REPOSITORY_ROOTS with PATH_NOT_ALLOWED', async () => {
      const response = await createRepository({ name: 'outside', location: '/tmp/elsewhere' });

      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('PATH_NOT_ALLOWED');
      expect(response.json().error.message).toContain(path.join(roots, 'repositories'));
    });

    it('requires a passphrase of at least 12 characters unless encryption is none', async () => {
      const missing = await context.app.inject({
        method: 'POST',
        url: '/api/repositories',
        headers: admin.headers,
        payload: { name: 'nopass', location: location('nopass'), mode: 'create' },
      });
      const short = await createRepository({
        name: 'short',
        location: location('short'),
        passphrase: 'too-short',
      });

      expect(missing.statusCode).toBe(400);
      expect(missing.json().error.message).toContain('passphrase');
      expect(short.statusCode).toBe(400);
    });

    it('rejects malformed ssh locations before contacting a worker', async () => {
      const response = await createRepository({
        name: 'remote',
        location: 'ssh://backup:secret@host.example:22/srv/borg',
      });

      expect(response.statusCode).toBe(400);
      expect(response.json().error.message).toContain('no password');
    });

    it('is refused to an operator', async () => {
      const response = await context.app.inject({
        method: 'POST',
        url: '/api/repositories',
        headers: operator.headers,
        payload: { name: 'op', location: location('op'), mode: 'create', passphrase: PASSPHRASE },
      });

      expect(response.statusCode).toBe(403);
    });
  });

  describe('GET /api/repositories/:id/key', () => {
    it('returns the escrowed key and records the export in the audit log', async () => {
      const created = await createRepository({ name: 'keyed', location: location('keyed') });
      const { id } = created.json<{ id: string }>();

      const response = await context.app.inject({
        method: 'GET',
        url: `/api/repositories/${id}/key`,
        headers: admin.headers,
      });

      expect(response.statusCode).toBe(200);
      expect(response.json<{ key: string }>().key).toMatch(/^BORG_KEY [0-9a-f]+/);
      const audit = await context.database.db
        .selectFrom('audit_log')
        .select('action')
        .where('target', '=', `repository:${id}`)
        .execute();
      expect(audit.map((entry) => entry.action)).toContain('repository.key-export');
    });
  });

  describe('POST /api/repositories/test-connection', () => {
    it('reports whether the worker reaches a local path', async () => {
      const response = await context.app.inject({
        method: 'POST',
        url: '/api/repositories/test-connection',
        headers: admin.headers,
        payload: { location: location('primary') },
      });

      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({ reachable: true, hostKeyFingerprints: [] });
    });
  });

  describe('ssh repositories', () => {
    let sshd: TestSshd;
    let sshKeyId: string;
    let sshLocation: string;

    beforeAll(async () => {
      const sshdDir = path.join(roots, 'sshd');
      const allowedDir = path.join(roots, 'remote');
      await mkdir(sshdDir, { recursive: true });
      await mkdir(allowedDir, { recursive: true });
      const clientKey = await generateSshKeyPair(sshdDir, 'client');
      sshd = await startSshd(sshdDir);
      await sshd.setAuthorizedKeys([
        `command="borg serve --restrict-to-path ${allowedDir}",restrict ${clientKey.publicKey}`,
      ]);
      const imported = await context.app.inject({
        method: 'POST',
        url: '/api/ssh-keys',
        headers: admin.headers,
        payload: { name: 'remote', privateKey: clientKey.privateKey },
      });
      expect(imported.statusCode, imported.body).toBe(201);
      sshKeyId = imported.json<{ id: string }>().id;
      sshLocation = `ssh://root@127.0.0.1:${sshd.port}${allowedDir}/repo`;
    });

    afterAll(async () => {
      await sshd?.stop();
    });

    async function testConnection() {
      const response = await context.app.inject({
        method: 'POST',
        url: '/api/repositories/test-connection',
        headers: admin.headers,
        payload: { location: sshLocation, sshKeyId },
      });
      expect(response.statusCode, response.body).toBe(200);
      return response.json<{
        reachable: boolean;
        hostKeyStatus: string;
        hostKeyFingerprint: string;
        hostKeyFingerprints: { keyType: string; fingerprint: string }[];
      }>();
    }

    it('POST /api/repositories/test-connection shows the host key a person must approve', async () => {
      const result = await testConnection();

      expect(result).toMatchObject({ reachable: true, hostKeyStatus: 'unknown' });
      expect(result.hostKeyFingerprints).toContainEqual({
        keyType: 'ssh-ed25519',
        fingerprint: result.hostKeyFingerprint,
      });
    });

    it('POST /api/repositories refuses an unapproved host with HOST_KEY_UNKNOWN', async () => {
      const response = await createRepository({
        name: 'unpinned',
        location: sshLocation,
        sshKeyId,
      });

      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().error.borgError).toBe('HOST_KEY_UNKNOWN');
    });

    it('POST /api/repositories pins the approved host key, then creates over ssh', async () => {
      const { hostKeyFingerprint } = await testConnection();

      const response = await createRepository({
        name: 'remote',
        location: sshLocation,
        sshKeyId,
        hostKeyFingerprint,
      });

      expect(response.statusCode, response.body).toBe(201);
      expect(response.json()).toMatchObject({ hostKeyFingerprint, sshKeyId, hasKeyEscrow: true });
      expect((await testConnection()).hostKeyStatus).toBe('trusted');
    });

    it('POST /api/repositories/:id/trust-host-key refuses a fingerprint the host does not offer', async () => {
      const [row] = await context.database.db
        .selectFrom('repositories')
        .select('id')
        .where('name', '=', 'remote')
        .execute();

      const response = await context.app.inject({
        method: 'POST',
        url: `/api/repositories/${row.id}/trust-host-key`,
        headers: admin.headers,
        payload: { fingerprint: `SHA256:${'A'.repeat(43)}` },
      });

      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().error.borgError).toBe('HOST_KEY_MISMATCH');
    });
  });

  describe('PATCH /api/repositories/:id', () => {
    it('renames the repository and keeps its location', async () => {
      const created = await createRepository({ name: 'renamed', location: location('renamed') });
      const { id } = created.json<{ id: string }>();

      const response = await context.app.inject({
        method: 'PATCH',
        url: `/api/repositories/${id}`,
        headers: admin.headers,
        payload: { name: 'renamed-now', uploadRateLimitKbps: 2048 },
      });

      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({
        name: 'renamed-now',
        uploadRateLimitKbps: 2048,
        location: location('renamed'),
      });
    });
  });

  describe('DELETE /api/repositories/:id', () => {
    it('answers 409 while a plan uses the repository and keeps the borg data when deleting', async () => {
      await mkdir(path.join(roots, 'sources', 'docs'), { recursive: true });
      const created = await createRepository({ name: 'in-use', location: location('in-use') });
      const { id } = created.json<{ id: string }>();
      const plan = await context.app.inject({
        method: 'POST',
        url: '/api/plans',
        headers: admin.headers,
        payload: {
          name: 'uses-it',
          repositoryId: id,
          sources: [path.join(roots, 'sources', 'docs')],
        },
      });
      expect(plan.statusCode, plan.body).toBe(201);

      const refused = await context.app.inject({
        method: 'DELETE',
        url: `/api/repositories/${id}`,
        headers: admin.headers,
      });
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error.message).toContain('uses-it');

      await context.app.inject({
        method: 'DELETE',
        url: `/api/plans/${plan.json<{ id: string }>().id}`,
        headers: admin.headers,
      });
      const deleted = await context.app.inject({
        method: 'DELETE',
        url: `/api/repositories/${id}`,
        headers: admin.headers,
      });
      expect(deleted.statusCode).toBe(204);
      expect((await stat(path.join(location('in-use'), 'config'))).isFile()).toBe(true);
    });
  });

  describe('POST /api/repositories/:id/restore', () => {
    it('refuses a target outside RESTORE_ROOTS with PATH_NOT_ALLOWED', async () => {
      const repositories = await context.database.db
        .selectFrom('repositories')
        .select('id')
        .execute();

      const response = await context.app.inject({
        method: 'POST',
        url: `/api/repositories/${repositories[0].id}/restore`,
        headers: operator.headers,
        payload: { archive: 'any-archive', paths: ['docs'], target: '/etc/borgflow-restore' },
      });

      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('PATH_NOT_ALLOWED');
      expect(response.json().error.message).toContain(path.join(roots, 'restores'));
    });

    it('refuses archive paths that climb out with ..', async () => {
      const repositories = await context.database.db
        .selectFrom('repositories')
        .select('id')
        .execute();

      const response = await context.app.inject({
        method: 'POST',
        url: `/api/repositories/${repositories[0].id}/restore`,
        headers: operator.headers,
        payload: {
          archive: 'any-archive',
          paths: ['docs/../../etc'],
          target: path.join(roots, 'restores', 'one'),
        },
      });

      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('POST /api/repositories/:id/prune', () => {
    it('refuses a prune without retention rules', async () => {
      const repositories = await context.database.db
        .selectFrom('repositories')
        .select('id')
        .execute();

      const response = await context.app.inject({
        method: 'POST',
        url: `/api/repositories/${repositories[0].id}/prune`,
        headers: operator.headers,
        payload: { dryRun: true },
      });

      expect(response.statusCode).toBe(400);
      expect(response.json().error.message).toContain('retention');
    });
  });

  describe('POST /api/repositories/:id/check', () => {
    it('starts a check with default options when the request has no body', async () => {
      const created = await createRepository({ name: 'checked', location: location('checked') });
      const { id } = created.json<{ id: string }>();

      const response = await context.app.inject({
        method: 'POST',
        url: `/api/repositories/${id}/check`,
        headers: operator.headers,
      });

      expect(response.statusCode, response.body).toBe(202);
      expect(response.json().run).toMatchObject({ kind: 'check', repositoryId: id });
      expect(response.json().run.id).toMatch(new RegExp(`^check-${id}-[0-9A-Z]{26}$`));
      await expect
        .poll(() => runStatus(response.json<{ run: { id: string } }>().run.id), {
          // A real borg check of an empty repository; polled rather than slept.
          timeout: 30_000,
        })
        .toBe('succeeded');
    });
  });

  describe('GET /api/about', () => {
    it('reports the Borgflow version, the workers’ borg versions and Temporal', async () => {
      await context.database.db
        .insertInto('workers')
        .values({
          id: 'host-a',
          hostname: 'backup-1',
          task_queue: context.config.taskQueue,
          borg_version: '1.2.4',
          started_at: new Date(),
          last_seen_at: new Date(),
        })
        .execute();

      const response = await context.app.inject({
        method: 'GET',
        url: '/api/about',
        headers: operator.headers,
      });

      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        borgflowVersion: expect.stringMatching(/^\d+\.\d+\.\d+/) as string,
        borgVersions: [{ hostId: 'host-a', version: '1.2.4' }],
        temporal: {
          namespace: 'default',
          // The dev server the tests run answers with its real version, e.g. "1.27.1".
          serverVersion: expect.stringMatching(/\d+\.\d+/) as string,
          uiUrl: context.config.temporalUiUrl,
        },
      });
    });
  });

  describe('Temporal history of the workflows these tests started', () => {
    it('never contains a repository passphrase', async () => {
      const { checked, leaking } = await workflowsLeaking(
        context.temporal,
        context.config.taskQueue,
        PASSPHRASE,
      );

      expect(checked.length).toBeGreaterThan(5);
      expect(leaking).toEqual([]);
    });
  });
});
