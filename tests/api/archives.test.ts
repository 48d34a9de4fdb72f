import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../api/server';
import { createLogger } from '../../core/logger';
import { FINISHED_STATUSES } from '../../core/runs';
import {
  adminSession,
  createApiTestContext,
  createUserSession,
  type ApiTestContext,
  type BrowserSession,
} from '../helpers/api';
import { waitForRunStatus } from '../helpers/runs';
import { startApiWorker, workflowsLeaking } from '../helpers/temporal-worker';

const PASSPHRASE = 'archives-test-passphrase-8c4b2a-never-in-history';
const MANY_FILES = 25;

interface Item {
  path: string;
  name: string;
  type: string;
  size: number;
  mtime: string | null;
}

describe('archive routes', () => {
  let context: ApiTestContext;
  let worker: Awaited<ReturnType<typeof startApiWorker>>;
  let admin: BrowserSession;
  let operator: BrowserSession;
  let viewer: BrowserSession;
  let roots: string;
  let source: string;
  let repositoryId: string;
  let planId: string;
  let archives: string[] = [];

  beforeAll(async () => {
    roots = await mkdtemp(path.join(os.tmpdir(), 'borgflow-archives-'));
    source = path.join(roots, 'sources', 'data');
    await mkdir(path.join(source, 'docs', 'many'), { recursive: true });
    await mkdir(path.join(roots, 'repositories'), { recursive: true });
    await writeFile(path.join(source, 'docs', 'report.txt'), 'quarterly numbers\n');
    await writeFile(path.join(source, 'notes.md'), '# notes\n');
    await writeFile(path.join(source, 'docs', 'Übersicht.txt'), 'overview\n');
    for (let index = 0; index < MANY_FILES; index++) {
      const name = `file-${String(index).padStart(2, '0')}.txt`;
      await writeFile(path.join(source, 'docs', 'many', name), `${index}\n`);
    }
    context = await createApiTestContext({
      TASK_QUEUE: `api-archives-${randomBytes(4).toString('hex')}`,
      REPOSITORY_ROOTS: path.join(roots, 'repositories'),
      SOURCE_ROOTS: path.join(roots, 'sources'),
    });
    worker = await startApiWorker(context);
    admin = await adminSession(context.app);
    operator = await createUserSession(context.app, admin, 'operator');
    viewer = await createUserSession(context.app, admin, 'viewer');

    const repository = await context.app.inject({
      method: 'POST',
      url: '/api/repositories',
      headers: admin.headers,
      payload: {
        name: 'browsed',
        location: path.join(roots, 'repositories', 'browsed'),
        passphrase: PASSPHRASE,
        mode: 'create',
      },
    });
    repositoryId = repository.json<{ id: string }>().id;
    const plan = await context.app.inject({
      method: 'POST',
      url: '/api/plans',
      headers: admin.headers,
      payload: { name: 'browsed-plan', repositoryId, sources: [source] },
    });
    planId = plan.json<{ id: string }>().id;
    await backUp();
    await writeFile(path.join(source, 'notes.md'), '# notes\nchanged since\n');
    await writeFile(path.join(source, 'docs', 'added.txt'), 'new\n');
    // Archive names carry the start time to the second: the second backup needs a later second.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await backUp();
    archives = (await listArchives()).map((archive) => archive.name).reverse();
  });

  afterAll(async () => {
    await worker?.close();
    await context?.close();
    await rm(roots, { recursive: true, force: true });
  });

  async function backUp(): Promise<void> {
    const started = await context.app.inject({
      method: 'POST',
      url: `/api/plans/${planId}/run`,
      headers: operator.headers,
    });
    expect(started.statusCode, started.body).toBe(202);
    await expectRunSucceeded(started.json<{ run: { id: string } }>().run.id);
  }

  async function expectRunSucceeded(id: string): Promise<void> {
    const run = await waitForRunStatus(context.database.db, id, FINISHED_STATUSES);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
  }

  async function listArchives() {
    const response = await context.app.inject({
      method: 'GET',
      url: `/api/repositories/${repositoryId}/archives`,
      headers: viewer.headers,
    });
    expect(response.statusCode).toBe(200);
    return response.json<{ archives: { name: string; files: number | null }[] }>().archives;
  }

  async function listItems(archive: string, query: Record<string, string | number>) {
    const search = new URLSearchParams(
      Object.entries(query).map(([key, value]) => [key, String(value)]),
    );
    return context.app.inject({
      method: 'GET',
      url: `/api/repositories/${repositoryId}/archives/${encodeURIComponent(archive)}/items?${search}`,
      headers: viewer.headers,
    });
  }

  // Borg stores absolute source paths without their leading slash.
  const inArchive = (...parts: string[]) => path.join(source, ...parts).slice(1);

  describe('GET /api/repositories/:id/archives', () => {
    it('lists the archives the backups refreshed, newest first', async () => {
      const listed = await listArchives();

      expect(listed).toHaveLength(2);
      expect(listed[0].name > listed[1].name).toBe(true);
      expect(listed[1].files).toBe(MANY_FILES + 3);
    });
  });

  describe('GET /api/repositories/:id/archives/:archive/items', () => {
    it('indexes the archive once and lists one directory level', async () => {
      const top = await listItems(archives[0], {});
      expect(top.statusCode, top.body).toBe(200);
      expect(top.json<{ items: Item[] }>().items.map((item) => item.name)).toEqual([
        inArchive().split('/')[0],
      ]);

      const response = await listItems(archives[0], { path: inArchive() });

      expect(response.statusCode, response.body).toBe(200);
      const { items, nextCursor } = response.json<{ items: Item[]; nextCursor: string | null }>();
      expect(items.map((item) => [item.name, item.type, item.path])).toEqual([
        ['docs', 'd', inArchive('docs')],
        ['notes.md', '-', inArchive('notes.md')],
      ]);
      expect(items[1].size).toBe('# notes\n'.length);
      expect(nextCursor).toBeNull();
      const index = await context.database.db
        .selectFrom('archive_indexes')
        .selectAll()
        .where('archive_name', '=', archives[0])
        .executeTakeFirstOrThrow();
      expect(index.state).toBe('ready');
      expect(Number(index.item_count)).toBeGreaterThan(MANY_FILES);
    });

    it('pages through a directory in name order without repeats', async () => {
      const names: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const response = await listItems(archives[0], {
          path: `/${inArchive('docs', 'many')}/`,
          limit: 10,
          ...(cursor ? { cursor } : {}),
        });
        expect(response.statusCode, response.body).toBe(200);
        const page = response.json<{ items: Item[]; nextCursor: string | null }>();
        names.push(...page.items.map((item) => item.name));
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor);

      expect(pages).toBe(3);
      expect(names).toHaveLength(MANY_FILES);
      expect(names).toEqual([...names].sort());
      expect(names[0]).toBe('file-00.txt');
    });

    it('reuses the index on later requests', async () => {
      const before = await context.database.db
        .selectFrom('archive_indexes')
        .select('id')
        .where('archive_name', '=', archives[0])
        .executeTakeFirstOrThrow();

      await listItems(archives[0], { path: inArchive('docs') });

      const after = await context.database.db
        .selectFrom('archive_indexes')
        .select('id')
        .where('archive_name', '=', archives[0])
        .executeTakeFirstOrThrow();
      expect(after.id).toBe(before.id);
    });

    it('answers 404 for a missing directory and 400 for a file', async () => {
      const missing = await listItems(archives[0], { path: inArchive('nowhere') });
      const file = await listItems(archives[0], { path: inArchive('notes.md') });

      expect(missing.statusCode).toBe(404);
      expect(file.statusCode).toBe(400);
    });

    it('treats archive names in the URL as data', async () => {
      const slash = await listItems('a/b', {});
      const control = await listItems('bad\u0001name', {});
      const unknown = await listItems('no-such-archive', {});

      expect([slash.statusCode, control.statusCode, unknown.statusCode]).toEqual([400, 400, 404]);
    });
  });

  describe('GET /api/repositories/:id/archives/:archive/search', () => {
    async function search(query: Record<string, string | number>) {
      const parameters = new URLSearchParams(
        Object.entries(query).map(([key, value]) => [key, String(value)]),
      );
      const archive = encodeURIComponent(archives[1]);
      return context.app.inject({
        method: 'GET',
        url: `/api/repositories/${repositoryId}/archives/${archive}/search?${parameters}`,
        headers: viewer.headers,
      });
    }

    it('finds items in every folder by part of their name, without regard to case', async () => {
      const response = await search({ name: 'REPORT' });

      expect(response.statusCode, response.body).toBe(200);
      const { items } = response.json<{ items: Item[] }>();
      expect(items.map((item) => [item.path, item.type])).toEqual([
        [inArchive('docs', 'report.txt'), '-'],
      ]);
      expect(items[0].size).toBe('quarterly numbers\n'.length);
    });

    it('pages through many matches in folder and name order without repeats', async () => {
      const paths: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const response = await search({ name: 'file-', limit: 10, ...(cursor ? { cursor } : {}) });
        expect(response.statusCode, response.body).toBe(200);
        const page = response.json<{ items: Item[]; nextCursor: string | null }>();
        paths.push(...page.items.map((item) => item.path));
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor && pages < 10);

      expect(pages).toBe(3);
      expect(new Set(paths).size).toBe(MANY_FILES);
      expect(paths.every((found) => found.startsWith(inArchive('docs', 'many')))).toBe(true);
    });

    it('folds the case of letters beyond ASCII too', async () => {
      const response = await search({ name: 'üBERSICHT' });

      expect(response.statusCode, response.body).toBe(200);
      expect(response.json<{ items: Item[] }>().items.map((item) => item.name)).toEqual([
        'Übersicht.txt',
      ]);
    });

    it('takes % and _ as letters, not wildcards', async () => {
      const percent = await search({ name: '%' });
      const underscore = await search({ name: 'file_' });

      expect(percent.json<{ items: Item[] }>().items).toEqual([]);
      expect(underscore.json<{ items: Item[] }>().items).toEqual([]);
    });

    it('refuses an empty text, a slash and a cursor it did not hand out', async () => {
      const empty = await search({ name: '' });
      const slash = await search({ name: 'docs/report' });
      const forged = await search({ name: 'file', cursor: Buffer.from('x').toString('base64url') });

      expect([empty.statusCode, slash.statusCode, forged.statusCode]).toEqual([400, 400, 400]);
      expect(forged.json<{ error: { field: string } }>().error.field).toBe('querystring.cursor');
    });
  });

  describe('an archive whose first indexing outlasts the wait', () => {
    it('answers 503 with the count so far and a Retry-After instead of holding the request', async () => {
      // A second server on the same database whose task queue no worker polls: its indexing
      // never finishes, as with a huge archive, and its wait is cut to one second.
      const impatient = await buildServer({
        config: {
          ...context.config,
          archiveIndexWaitSeconds: 1,
          taskQueue: `no-worker-${randomBytes(4).toString('hex')}`,
        },
        logger: createLogger({ level: 'silent', name: 'impatient-api', pretty: false }),
        db: context.database.db,
        sql: context.database.sql,
        secrets: context.secrets,
        temporal: context.temporal,
      });
      const [archive] = archives.slice(-1);
      await context.database.db
        .deleteFrom('archive_indexes')
        .where('archive_name', '=', archive)
        .execute();
      await context.database.db
        .insertInto('archive_indexes')
        .values({
          repository_id: repositoryId,
          archive_name: archive,
          state: 'indexing',
          item_count: 42_000,
        })
        .execute();

      try {
        const response = await impatient.inject({
          method: 'GET',
          url: `/api/repositories/${repositoryId}/archives/${encodeURIComponent(archive)}/items`,
          headers: viewer.headers,
        });

        expect(response.statusCode, response.body).toBe(503);
        expect(response.headers['retry-after']).toBe('3');
        expect(response.json()).toMatchObject({
          error: { code: 'SERVICE_UNAVAILABLE', indexedItems: 42_000 },
        });
        expect(response.json<{ error: { message: string } }>().error.message).toContain(
          '42,000 items so far',
        );
      } finally {
        await impatient.close();
        await terminateIndexingOf(archive);
        await context.database.db
          .deleteFrom('archive_indexes')
          .where('archive_name', '=', archive)
          .execute();
      }
    });

    async function terminateIndexingOf(archive: string): Promise<void> {
      const query = `WorkflowType = 'indexArchive' AND ExecutionStatus = 'Running'`;
      for await (const execution of context.temporal.workflow.list({ query })) {
        const described = await context.temporal.workflow
          .getHandle(execution.workflowId)
          .describe();
        if (described.taskQueue.startsWith('no-worker-')) {
          await context.temporal.workflow.getHandle(execution.workflowId).terminate(archive);
        }
      }
    }
  });

  describe('GET /api/repositories/:id/archives/diff', () => {
    it('lists what changed between two archives', async () => {
      const response = await context.app.inject({
        method: 'GET',
        url: `/api/repositories/${repositoryId}/archives/diff?from=${archives[0]}&to=${archives[1]}`,
        headers: viewer.headers,
      });

      expect(response.statusCode, response.body).toBe(200);
      const { changes, truncated } = response.json<{
        changes: { path: string; change: string }[];
        truncated: boolean;
      }>();
      expect(truncated).toBe(false);
      expect(changes).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            path: inArchive('notes.md'),
            change: expect.stringContaining('modified') as string,
            sizeDelta: 'changed since\n'.length,
          }),
          expect.objectContaining({
            path: inArchive('docs', 'added.txt'),
            change: 'added',
            sizeDelta: 'new\n'.length,
          }),
        ]),
      );
    });
  });

  describe('GET /api/repositories/:id/archives/:archive/file', () => {
    it('streams one file extracted on the worker and removes the copy afterwards', async () => {
      const response = await context.app.inject({
        method: 'GET',
        url: `/api/repositories/${repositoryId}/archives/${archives[0]}/file?path=${inArchive('docs', 'report.txt')}`,
        headers: operator.headers,
      });

      expect(response.statusCode, response.body).toBe(200);
      expect(response.body).toBe('quarterly numbers\n');
      expect(response.headers['content-disposition']).toContain('report.txt');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await readdir(path.join(context.config.dataDir, 'downloads'))).toEqual([]);
    });

    it('is refused to a viewer', async () => {
      const response = await context.app.inject({
        method: 'GET',
        url: `/api/repositories/${repositoryId}/archives/${archives[0]}/file?path=${inArchive('notes.md')}`,
        headers: viewer.headers,
      });

      expect(response.statusCode).toBe(403);
    });
  });

  describe('DELETE /api/repositories/:id/archives/:archive', () => {
    it('deletes the archive through a run, and its index with it', async () => {
      const response = await context.app.inject({
        method: 'DELETE',
        url: `/api/repositories/${repositoryId}/archives/${archives[0]}`,
        headers: operator.headers,
      });
      expect(response.statusCode, response.body).toBe(202);
      await expectRunSucceeded(response.json<{ run: { id: string } }>().run.id);

      expect((await listArchives()).map((archive) => archive.name)).toEqual([archives[1]]);
      expect((await listItems(archives[0], {})).statusCode).toBe(404);
      const indexes = await context.database.db
        .selectFrom('archive_indexes')
        .select('archive_name')
        .execute();
      expect(indexes.map((index) => index.archive_name)).not.toContain(archives[0]);
    });
  });

  describe('Temporal history of the workflows these tests started', () => {
    it('never contains a repository passphrase', async () => {
      const { checked, leaking } = await workflowsLeaking(
        context.temporal,
        context.config.taskQueue,
        PASSPHRASE,
      );

      expect(checked.some((id) => id.startsWith('index-archive-'))).toBe(true);
      expect(leaking).toEqual([]);
    });
  });
});
