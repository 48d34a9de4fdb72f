import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planScheduleId } from '../../core/temporal/plan-schedules';
import {
  adminSession,
  createApiTestContext,
  createUserSession,
  type ApiTestContext,
  type BrowserSession,
} from '../helpers/api';
import { startApiWorker } from '../helpers/temporal-worker';

describe('plan routes', () => {
  let context: ApiTestContext;
  let worker: Awaited<ReturnType<typeof startApiWorker>>;
  let admin: BrowserSession;
  let operator: BrowserSession;
  let roots: string;
  let repositoryId: string;
  let source: string;

  beforeAll(async () => {
    roots = await mkdtemp(path.join(os.tmpdir(), 'borgflow-plans-'));
    source = path.join(roots, 'sources', 'home');
    await mkdir(source, { recursive: true });
    await mkdir(path.join(roots, 'repositories'), { recursive: true });
    context = await createApiTestContext({
      TASK_QUEUE: `api-plans-${randomBytes(4).toString('hex')}`,
      REPOSITORY_ROOTS: path.join(roots, 'repositories'),
      SOURCE_ROOTS: path.join(roots, 'sources'),
    });
    worker = await startApiWorker(context);
    admin = await adminSession(context.app);
    operator = await createUserSession(context.app, admin, 'operator');
    const created = await context.app.inject({
      method: 'POST',
      url: '/api/repositories',
      headers: admin.headers,
      payload: {
        name: 'plans-repository',
        location: path.join(roots, 'repositories', 'main'),
        passphrase: 'plans-test-passphrase-0b7e',
        mode: 'create',
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    repositoryId = created.json<{ id: string }>().id;
  });

  afterAll(async () => {
    await worker?.close();
    await context?.close();
    await rm(roots, { recursive: true, force: true });
  });

  async function createPlan(fields: Record<string, unknown>) {
    return context.app.inject({
      method: 'POST',
      url: '/api/plans',
      headers: admin.headers,
      payload: { repositoryId, sources: [source], ...fields },
    });
  }

  describe('POST /api/plans', () => {
    it('creates a Temporal schedule with overlap SKIP and the plan’s cron and time zone', async () => {
      const response = await createPlan({
        name: 'nightly',
        schedule: { cron: '30 2 * * *', timezone: 'Europe/Berlin' },
        retention: { keepDaily: 7 },
      });

      expect(response.statusCode, response.body).toBe(201);
      const plan = response.json<{ id: string; nextRuns: string[] }>();
      expect(plan.nextRuns.length).toBeGreaterThan(0);
      const description = await context.temporal.schedule
        .getHandle(planScheduleId(plan.id))
        .describe();
      expect(description.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
      expect(description.spec.timezone).toBe('Europe/Berlin');
      expect(description.spec.calendars?.[0]).toMatchObject({
        hour: [{ start: 2, end: 2, step: 1 }],
        minute: [{ start: 30, end: 30, step: 1 }],
      });
      expect(description.state.paused).toBe(false);
      expect(description.action).toMatchObject({ workflowType: 'backupPlan' });
      // Berlin is UTC+1 in December: 02:30 local is 01:30 UTC.
      expect(new Date(plan.nextRuns[0]).getUTCHours()).toBe(1);
    });

    it('refuses a source outside SOURCE_ROOTS with PATH_NOT_ALLOWED', async () => {
      const response = await createPlan({ name: 'escape', sources: ['/etc'] });

      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('PATH_NOT_ALLOWED');
      expect(response.json().error.message).toContain(path.join(roots, 'sources'));
    });

    it('refuses a source that climbs out of SOURCE_ROOTS through ..', async () => {
      const response = await createPlan({
        name: 'climb',
        sources: [path.join(roots, 'sources', '..', 'repositories')],
      });

      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('PATH_NOT_ALLOWED');
    });

    it.each([
      ['compression', { compression: 'zstd,30' }],
      ['compression', { compression: 'brotli' }],
      ['schedule', { schedule: { cron: '61 * * * *', timezone: 'UTC' } }],
      ['schedule', { schedule: { cron: '0 3 * * *', timezone: 'Mars/Olympus_Mons' } }],
      // cron-parser takes "last day of the month"; Temporal refuses it.
      ['schedule', { schedule: { cron: '0 0 L * *', timezone: 'UTC' } }],
      ['archiveName', { archiveName: '{plan}-{nope}' }],
      ['archiveName', { archiveName: 'fixed-name' }],
      ['retention', { pruneAfterBackup: true }],
    ])('refuses an invalid %s with 400', async (field, fields) => {
      const response = await createPlan({
        name: `bad-${randomBytes(3).toString('hex')}`,
        ...fields,
      });

      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().error.message).toContain(field);
    });

    it('accepts borg compression specs with levels and auto', async () => {
      const response = await createPlan({ name: 'compressed', compression: 'auto,zstd,10' });

      expect(response.statusCode, response.body).toBe(201);
      expect(response.json()).toMatchObject({ compression: 'auto,zstd,10', schedule: null });
    });

    it('is refused to an operator, who may not set hooks run on the worker', async () => {
      const response = await context.app.inject({
        method: 'POST',
        url: '/api/plans',
        headers: operator.headers,
        payload: {
          name: 'hooked',
          repositoryId,
          sources: [source],
          hooks: [{ name: 'x', when: 'before', command: 'id' }],
        },
      });

      expect(response.statusCode).toBe(403);
    });
  });

  describe('PATCH /api/plans/:id', () => {
    it('pauses the schedule when the plan is disabled and removes it with the schedule', async () => {
      const created = await createPlan({
        name: 'toggled',
        schedule: { cron: '0 * * * *', timezone: 'UTC' },
      });
      const { id } = created.json<{ id: string }>();
      const handle = context.temporal.schedule.getHandle(planScheduleId(id));

      const disabled = await context.app.inject({
        method: 'PATCH',
        url: `/api/plans/${id}`,
        headers: admin.headers,
        payload: { enabled: false },
      });
      expect(disabled.statusCode, disabled.body).toBe(200);
      expect((await handle.describe()).state.paused).toBe(true);

      const unscheduled = await context.app.inject({
        method: 'PATCH',
        url: `/api/plans/${id}`,
        headers: admin.headers,
        payload: { enabled: true, schedule: null },
      });
      expect(unscheduled.statusCode, unscheduled.body).toBe(200);
      expect(unscheduled.json()).toMatchObject({ schedule: null, nextRuns: [] });
      await expect(handle.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    });
  });

  describe('DELETE /api/plans/:id', () => {
    it('deletes the plan and its schedule', async () => {
      const created = await createPlan({
        name: 'doomed',
        schedule: { cron: '@daily', timezone: 'UTC' },
      });
      const { id } = created.json<{ id: string }>();
      const handle = context.temporal.schedule.getHandle(planScheduleId(id));
      await handle.describe();

      const response = await context.app.inject({
        method: 'DELETE',
        url: `/api/plans/${id}`,
        headers: admin.headers,
      });

      expect(response.statusCode).toBe(204);
      await expect(handle.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
      const audit = await context.database.db
        .selectFrom('audit_log')
        .select('action')
        .where('target', '=', `plan:${id}`)
        .execute();
      expect(audit.map((entry) => entry.action)).toEqual(['plan.create', 'plan.delete']);
    });
  });

  describe('GET /api/plans', () => {
    it('lists plans with their schedule figures', async () => {
      const response = await context.app.inject({
        method: 'GET',
        url: '/api/plans',
        headers: operator.headers,
      });

      expect(response.statusCode).toBe(200);
      const nightly = response
        .json<{ plans: { name: string; skippedForOverlap: number }[] }>()
        .plans.find((plan) => plan.name === 'nightly');
      expect(nightly).toMatchObject({ skippedForOverlap: 0 });
    });
  });

  describe('GET /api/filesystem', () => {
    it('lists the source roots, then a directory under them', async () => {
      const rootsResponse = await context.app.inject({
        method: 'GET',
        url: '/api/filesystem',
        headers: admin.headers,
      });
      const listing = await context.app.inject({
        method: 'GET',
        url: `/api/filesystem?path=${encodeURIComponent(path.join(roots, 'sources'))}`,
        headers: admin.headers,
      });

      expect(rootsResponse.json()).toMatchObject({
        roots: [path.join(roots, 'sources')],
        entries: [{ path: path.join(roots, 'sources'), type: 'directory' }],
      });
      expect(listing.statusCode, listing.body).toBe(200);
      expect(listing.json().entries).toEqual([{ name: 'home', path: source, type: 'directory' }]);
    });

    it('refuses paths outside SOURCE_ROOTS and callers below admin', async () => {
      const outside = await context.app.inject({
        method: 'GET',
        url: '/api/filesystem?path=/etc',
        headers: admin.headers,
      });
      const asOperator = await context.app.inject({
        method: 'GET',
        url: '/api/filesystem',
        headers: operator.headers,
      });

      expect(outside.statusCode).toBe(400);
      expect(outside.json().error.code).toBe('PATH_NOT_ALLOWED');
      expect(asOperator.statusCode).toBe(403);
    });
  });

  describe('POST /api/plans/archive-name-preview', () => {
    it('renders the template with the plan name and the current time', async () => {
      const response = await context.app.inject({
        method: 'POST',
        url: '/api/plans/archive-name-preview',
        headers: operator.headers,
        payload: { template: '{plan}-{now}', planName: 'my docs' },
      });

      expect(response.statusCode).toBe(200);
      expect(response.json<{ name: string }>().name).toMatch(
        /^my-docs-\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/,
      );
    });

    it('answers 400 with the template problem', async () => {
      const response = await context.app.inject({
        method: 'POST',
        url: '/api/plans/archive-name-preview',
        headers: operator.headers,
        payload: { template: 'a/{now}', planName: 'p' },
      });

      expect(response.statusCode).toBe(400);
      expect(response.json().error.message).toContain('"/"');
    });
  });
});
