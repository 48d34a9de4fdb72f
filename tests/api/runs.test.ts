import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretContexts } from '../../core/secrets/contexts';
import {
  KIND_ATTRIBUTE,
  PLAN_ATTRIBUTE,
  REPOSITORY_ATTRIBUTE,
  TRIGGER_ATTRIBUTE,
} from '../../core/temporal/search-attributes';
import {
  adminSession,
  type ApiTestContext,
  type BrowserSession,
  createApiTestContext,
  createLocalRepository,
  createUserSession,
  hasRunEnded,
  waitForApiRun,
} from '../helpers/api';
import { startApiWorker, workflowsLeaking } from '../helpers/temporal-worker';

const PASSPHRASE = 'runs-test-passphrase-5d21e8-never-in-history';

interface Run {
  id: string;
  status: string;
  kind: string;
  planId: string | null;
  retryOf: string | null;
  retriedBy: string | null;
  waitingReason: string | null;
  steps: { name: string; status: string }[];
  temporal: { workflowId: string; runId: string | null; url: string };
}

describe('run routes', () => {
  let context: ApiTestContext;
  let worker: Awaited<ReturnType<typeof startApiWorker>>;
  let admin: BrowserSession;
  let operator: BrowserSession;
  let viewer: BrowserSession;
  let roots: string;
  let repositoryId: string;
  let source: string;

  beforeAll(async () => {
    roots = await mkdtemp(path.join(os.tmpdir(), 'borgflow-runs-'));
    source = path.join(roots, 'sources', 'data');
    await mkdir(source, { recursive: true });
    await mkdir(path.join(roots, 'repositories'), { recursive: true });
    // Incompressible data, so borg has real work and reports progress while the run is watched.
    await writeFile(path.join(source, 'random.bin'), randomBytes(32 * 1024 * 1024));
    await writeFile(path.join(source, 'notes.txt'), 'hello\n');
    context = await createApiTestContext({
      TASK_QUEUE: `api-runs-${randomBytes(4).toString('hex')}`,
      REPOSITORY_ROOTS: path.join(roots, 'repositories'),
      SOURCE_ROOTS: path.join(roots, 'sources'),
    });
    worker = await startApiWorker(context);
    admin = await adminSession(context.app);
    operator = await createUserSession(context.app, admin, 'operator');
    viewer = await createUserSession(context.app, admin, 'viewer');
    repositoryId = await createRepository('main');
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

  async function createPlan(name: string, fields: Record<string, unknown> = {}): Promise<string> {
    const response = await context.app.inject({
      method: 'POST',
      url: '/api/plans',
      headers: admin.headers,
      payload: { name, repositoryId, sources: [source], compression: 'lz4', ...fields },
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<{ id: string }>().id;
  }

  async function runPlan(planId: string, headers: Record<string, string> = {}) {
    return context.app.inject({
      method: 'POST',
      url: `/api/plans/${planId}/run`,
      headers: { ...operator.headers, ...headers },
    });
  }

  async function getRun(id: string): Promise<Run> {
    const response = await context.app.inject({
      method: 'GET',
      url: `/api/runs/${id}`,
      headers: viewer.headers,
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<Run>();
  }

  function waitForRun(id: string, isReached: (run: Run) => boolean) {
    return waitForApiRun(context.app, viewer, id, isReached);
  }

  async function command(id: string, verb: string) {
    return context.app.inject({
      method: 'POST',
      url: `/api/runs/${id}/${verb}`,
      headers: operator.headers,
    });
  }

  /** Reads the event stream over real HTTP, noting when each event arrived. */
  async function collectEvents(baseUrl: string, runId: string) {
    const response = await fetch(`${baseUrl}/api/runs/${runId}/events`, {
      headers: { cookie: viewer.headers.cookie },
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events: { at: number; type: string; status: string }[] = [];
    const decoder = new TextDecoder();
    let pending = '';
    for await (const chunk of response.body!) {
      pending += decoder.decode(chunk, { stream: true });
      const blocks = pending.split('\n\n');
      pending = blocks.pop() ?? '';
      for (const block of blocks) {
        const data = JSON.parse(block.replace(/^data: /, '')) as { type: string; run: Run };
        events.push({ at: Date.now(), type: data.type, status: data.run.status });
      }
    }
    return events;
  }

  describe('POST /api/plans/:id/run', () => {
    it('runs the backup to succeeded, never beside a second run, and streams it', async () => {
      // The before-hook keeps the run busy long enough to watch it for several seconds.
      const planId = await createPlan('slow', {
        hooks: [{ name: 'settle', when: 'before', command: 'sleep 3' }],
      });
      const baseUrl = await context.app.listen({ port: 0, host: '127.0.0.1' });

      const first = await runPlan(planId);
      expect(first.statusCode, first.body).toBe(202);
      const run = first.json<{ run: Run }>().run;
      expect(run).toMatchObject({ kind: 'backup', planId, status: 'queued' });
      const streamed = collectEvents(baseUrl, run.id);

      const second = await runPlan(planId);
      expect(second.statusCode).toBe(409);
      expect(second.json().error.message).toContain(run.id);
      expect(second.json().error.activeRunId).toBe(run.id);

      await waitForRun(run.id, (current) => current.status === 'running');
      for (const verb of ['resume', 'skip', 'abort']) {
        const refused = await command(run.id, verb);
        expect(refused.statusCode, refused.body).toBe(409);
        expect(refused.json().error.message).toContain('not waiting');
      }

      // The Temporal UI can find the run by what it touches, and its memo says what it is.
      const execution = await context.temporal.workflow.getHandle(run.id).describe();
      expect(execution.typedSearchAttributes.get(KIND_ATTRIBUTE)).toBe('backup');
      expect(execution.typedSearchAttributes.get(TRIGGER_ATTRIBUTE)).toBe('manual');
      expect(execution.typedSearchAttributes.get(REPOSITORY_ATTRIBUTE)).toBe(repositoryId);
      expect(execution.typedSearchAttributes.get(PLAN_ATTRIBUTE)).toBe(planId);
      expect(execution.memo).toEqual({
        summary: expect.stringMatching(
          new RegExp(`^backup of plan ${planId}, requested by operator-[0-9a-f]+$`),
        ) as string,
      });

      const events = await streamed;
      const finished = await getRun(run.id);
      expect(finished.status).toBe('succeeded');
      expect(finished.steps.map((step) => step.name)).toEqual([
        'hook: settle',
        'create',
        'refresh',
      ]);
      expect(events.at(-1)).toMatchObject({ type: 'status', status: 'succeeded' });
      const active = events.filter((event) => event.status === 'running');
      expect(active.length).toBeGreaterThanOrEqual(3);
      const gaps = events.slice(1).map((event, index) => event.at - events[index].at);
      expect(Math.max(...gaps)).toBeLessThan(1000);
      expect(events.filter((event) => event.type === 'progress').length).toBeGreaterThan(3);
    });

    it('returns the same run for a repeated Idempotency-Key', async () => {
      const planId = await createPlan('keyed');
      const key = `nightly-${randomBytes(4).toString('hex')}`;

      const first = await runPlan(planId, { 'idempotency-key': key });
      const again = await runPlan(planId, { 'idempotency-key': key });

      expect(first.statusCode, first.body).toBe(202);
      expect(again.statusCode, again.body).toBe(202);
      const run = first.json<{ run: Run }>().run;
      expect(again.json<{ run: Run }>().run.id).toBe(run.id);
      expect(run.id).toMatch(new RegExp(`^backup-${planId}-k[0-9a-f]{20}$`));
      await waitForRun(run.id, hasRunEnded);
      const afterwards = await runPlan(planId, { 'idempotency-key': key });
      expect(afterwards.json<{ run: Run }>().run.id).toBe(run.id);
      const runs = await context.database.db
        .selectFrom('runs')
        .select('id')
        .where('plan_id', '=', planId)
        .execute();
      expect(runs).toHaveLength(1);
    });

    it('repairs an active run whose workflow already ended, then starts the new run', async () => {
      const planId = await createPlan('stale');
      const staleId = `backup-${planId}-01M8YEKS1FVGZQFVJPCQNTDVPK`;
      await context.database.db
        .insertInto('runs')
        .values({
          id: staleId,
          kind: 'backup',
          status: 'running',
          trigger: 'schedule',
          plan_id: planId,
          repository_id: repositoryId,
          created_at: new Date(Date.now() - 5 * 60_000),
        })
        .execute();

      const response = await runPlan(planId);

      expect(response.statusCode, response.body).toBe(202);
      expect(response.json<{ run: Run }>().run.id).not.toBe(staleId);
      const stale = await context.database.db
        .selectFrom('runs')
        .select(['status', 'error'])
        .where('id', '=', staleId)
        .executeTakeFirstOrThrow();
      expect(stale).toMatchObject({ status: 'failed', error: { type: 'RECORD_REPAIRED' } });
      await waitForRun(response.json<{ run: Run }>().run.id, hasRunEnded);
    });

    it('is refused to a viewer', async () => {
      const planId = await createPlan('viewed');

      const response = await context.app.inject({
        method: 'POST',
        url: `/api/plans/${planId}/run`,
        headers: viewer.headers,
      });

      expect(response.statusCode).toBe(403);
    });
  });

  describe('POST /api/runs/:id/retry', () => {
    it('starts a failed run again and links both runs', async () => {
      const lockedId = await createRepository('locked');
      await context.database.db
        .updateTable('repositories')
        .set({
          passphrase_secret: context.secrets.encrypt(
            'not-the-passphrase',
            secretContexts.repositoryPassphrase(lockedId),
          ),
        })
        .where('id', '=', lockedId)
        .execute();
      const started = await context.app.inject({
        method: 'POST',
        url: `/api/repositories/${lockedId}/check`,
        headers: operator.headers,
        payload: {},
      });
      expect(started.statusCode, started.body).toBe(202);
      const failing = started.json<{ run: Run }>().run;
      const waiting = await waitForRun(
        failing.id,
        (run) => run.status === 'waiting' && (run.waitingReason ?? '').startsWith('step'),
      );
      expect(waiting.waitingReason).toContain('passphrase');

      const aborted = await command(failing.id, 'abort');
      expect(aborted.statusCode, aborted.body).toBe(200);
      await waitForRun(failing.id, (run) => run.status === 'failed');

      const retried = await command(failing.id, 'retry');
      expect(retried.statusCode, retried.body).toBe(202);
      const retry = retried.json<{ run: Run }>().run;
      expect(retry).toMatchObject({ retryOf: failing.id, kind: 'check' });
      expect((await getRun(failing.id)).retriedBy).toBe(retry.id);
      const twice = await command(failing.id, 'retry');
      expect(twice.statusCode).toBe(409);
      expect(twice.json().error.message).toContain(retry.id);

      await waitForRun(retry.id, (run) => run.status === 'waiting' && run.waitingReason !== null);
      const row = await context.database.db
        .selectFrom('runs')
        .select(['trigger', 'retry_of'])
        .where('id', '=', retry.id)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ trigger: 'retry', retry_of: failing.id });
      const cancelled = await command(retry.id, 'cancel');
      expect(cancelled.statusCode, cancelled.body).toBe(202);
      expect((await waitForRun(retry.id, hasRunEnded)).status).toBe('canceled');
    });

    it('refuses to retry a run that did not fail', async () => {
      const succeeded = await context.database.db
        .selectFrom('runs')
        .select('id')
        .where('status', '=', 'succeeded')
        .executeTakeFirstOrThrow();

      const response = await command(succeeded.id, 'retry');

      expect(response.statusCode).toBe(409);
      expect(response.json().error.message).toContain('succeeded');
    });
  });

  describe('POST /api/runs/:id/cancel', () => {
    it('cancels a running backup and refuses to cancel it twice', async () => {
      const planId = await createPlan('cancelled', {
        hooks: [{ name: 'stall', when: 'before', command: 'exec sleep 30' }],
      });
      const run = (await runPlan(planId)).json<{ run: Run }>().run;
      await waitForRun(run.id, (current) => current.status === 'running');

      const response = await command(run.id, 'cancel');
      expect(response.statusCode, response.body).toBe(202);

      expect((await waitForRun(run.id, hasRunEnded)).status).toBe('canceled');
      expect((await command(run.id, 'cancel')).statusCode).toBe(409);
      const audit = await context.database.db
        .selectFrom('audit_log')
        .select('action')
        .where('target', '=', `run:${run.id}`)
        .execute();
      expect(audit.map((entry) => entry.action)).toEqual(['run.cancel']);
    });
  });

  describe('GET /api/runs/:id', () => {
    it('links the run to its history in the Temporal UI', async () => {
      const [row] = await context.database.db
        .selectFrom('runs')
        .select('id')
        .where('status', '=', 'succeeded')
        .execute();

      const run = await getRun(row.id);

      expect(run.temporal.workflowId).toBe(row.id);
      expect(run.temporal.url).toBe(
        `${context.config.temporalUiUrl}/namespaces/default/workflows/${row.id}/${run.temporal.runId}/history`,
      );
    });

    it('links a start its schedule skipped to the schedule, which has its story', async () => {
      const planId = await createPlan('skipped-tick');
      const scheduleId = `plan-${planId}`;
      const id = `${scheduleId}-skipped-1`;
      await context.database.db
        .insertInto('runs')
        .values({
          id,
          kind: 'backup',
          status: 'skipped',
          trigger: 'schedule',
          plan_id: planId,
          input: { skippedScheduleId: scheduleId },
        })
        .execute();

      const run = await getRun(id);

      expect(run).toMatchObject({ id, status: 'skipped', trigger: 'schedule' });
      expect(run.temporal.url).toBe(
        `${context.config.temporalUiUrl}/namespaces/default/schedules/${scheduleId}`,
      );
    });

    it('answers 404 for an unknown run and 400 for a malformed id', async () => {
      const unknown = await context.app.inject({
        method: 'GET',
        url: '/api/runs/backup-01M8YEKS1FVGZQFVJPCQNTDVPK-01M8YEKVPXYGGD051A67SFJ4JQ',
        headers: viewer.headers,
      });
      const malformed = await context.app.inject({
        method: 'GET',
        url: '/api/runs/..%2F..%2Fetc',
        headers: viewer.headers,
      });

      expect(unknown.statusCode).toBe(404);
      expect(malformed.statusCode).toBe(400);
    });
  });

  describe('GET /api/runs/:id/log', () => {
    it('serves the run’s borg log as plain text', async () => {
      const [row] = await context.database.db
        .selectFrom('runs')
        .select('id')
        .where('kind', '=', 'backup')
        .where('status', '=', 'succeeded')
        .execute();

      const response = await context.app.inject({
        method: 'GET',
        url: `/api/runs/${row.id}/log`,
        headers: viewer.headers,
      });

      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toContain('text/plain');
      expect(response.body).toMatch(/^\$ borg create --log-json /m);
      // Progress is the run's progress bar, not lines of its log.
      expect(response.body).not.toContain('archive_progress');
      expect(response.body).not.toContain(PASSPHRASE);
    });
  });

  describe('GET /api/runs', () => {
    it('pages through tens of thousands of runs by keyset, newest first', async () => {
      // Speed is measured by bench/run-listing.ts, not asserted here.
      // Many rows share one created_at, so the id must break ties without losing or repeating.
      await sql`
        insert into runs (id, kind, status, trigger, repository_id, created_at)
        select 'compact-' || ${repositoryId} || '-' || lpad(n::text, 26, '0'), 'compact',
               'succeeded', 'manual', ${repositoryId},
               timestamptz '2026-01-01' + ((n / 7) * interval '1 second')
        from generate_series(1, 30000) as n
      `.execute(context.database.db);
      await sql`analyze runs`.execute(context.database.db);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `&cursor=${cursor}` : '';
        const response = await context.app.inject({
          method: 'GET',
          url: `/api/runs?kind=compact&limit=200${query}`,
          headers: viewer.headers,
        });
        expect(response.statusCode).toBe(200);
        const page = response.json<{ runs: Run[]; nextCursor: string | null }>();
        seen.push(...page.runs.map((run) => run.id));
        cursor = page.nextCursor;
      } while (cursor);

      expect(seen).toHaveLength(30000);
      expect(new Set(seen).size).toBe(30000);
      expect(seen[0]).toMatch(/030000$/);
      expect(seen.at(-1)).toMatch(/000001$/);
    });

    it('filters by plan and status', async () => {
      const [row] = await context.database.db
        .selectFrom('runs')
        .select(['plan_id'])
        .where('kind', '=', 'backup')
        .where('status', '=', 'succeeded')
        .execute();

      const response = await context.app.inject({
        method: 'GET',
        url: `/api/runs?planId=${row.plan_id}&status=succeeded`,
        headers: viewer.headers,
      });

      const runs = response.json<{ runs: Run[] }>().runs;
      expect(runs.length).toBeGreaterThan(0);
      expect(runs.every((run) => run.planId === row.plan_id && run.status === 'succeeded')).toBe(
        true,
      );
    });

    it('answers 400 to a forged cursor', async () => {
      const forged = Buffer.from(JSON.stringify(['yesterday', 'x'])).toString('base64url');

      const response = await context.app.inject({
        method: 'GET',
        url: `/api/runs?cursor=${forged}`,
        headers: viewer.headers,
      });

      expect(response.statusCode).toBe(400);
    });
  });

  describe('GET /api/dashboard', () => {
    it('shows plan health from the last good backup and the runs that need a person', async () => {
      const response = await context.app.inject({
        method: 'GET',
        url: '/api/dashboard',
        headers: viewer.headers,
      });

      expect(response.statusCode, response.body).toBe(200);
      const dashboard = response.json<{
        plans: { name: string; health: string; lastRunStatus: string | null }[];
        runsNeedingAttention: Run[];
        totals: { originalSize: number };
      }>();
      expect(dashboard.plans.find((plan) => plan.name === 'slow')).toMatchObject({
        health: 'ok',
        lastRunStatus: 'succeeded',
      });
      expect(dashboard.plans.find((plan) => plan.name === 'viewed')).toMatchObject({
        health: 'unknown',
        lastRunStatus: null,
      });
      // The aborted check was retried, so only runs nobody has handled are listed.
      expect(dashboard.runsNeedingAttention.every((run) => run.retriedBy === null)).toBe(true);
      expect(dashboard.totals.originalSize).toBeGreaterThan(0);
    });
  });

  describe('Temporal history of the workflows these tests started', () => {
    it('never contains a repository passphrase', async () => {
      const { checked, leaking } = await workflowsLeaking(
        context.temporal,
        context.config.taskQueue,
        PASSPHRASE,
      );

      expect(checked.some((id) => id.startsWith('backup-'))).toBe(true);
      expect(checked.some((id) => id.startsWith('check-'))).toBe(true);
      expect(leaking).toEqual([]);
    });
  });
});
