import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Client,
  Connection,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type ScheduleHandle,
} from '@temporalio/client';
import type { TypedSearchAttributes } from '@temporalio/common';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConfigError, loadConfig } from '../../core/config';
import { createLogger } from '../../core/logger';
import { maintenanceScheduleId } from '../../core/temporal/maintenance-schedules';
import { planScheduleId } from '../../core/temporal/plan-schedules';
import { reconcileSchedules } from '../../core/temporal/reconcile-schedules';
import { scheduleSettingsOf } from '../../core/temporal/schedule-sync';
import {
  KIND_ATTRIBUTE,
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
} from '../helpers/api';
import { freePort } from '../helpers/ports';
import { startCommand } from '../helpers/stack-process';
import { startApiWorker } from '../helpers/temporal-worker';

interface ScheduleResponse {
  id: string;
  kind: string;
  enabled: boolean;
  options: Record<string, unknown>;
  nextRuns: string[];
  skippedForOverlap: number;
}

// Not the default of 4 hours, so the test can tell the setting reached both kinds of schedule.
const CATCHUP_HOURS = 2;
// Long enough for a healthy local Temporal, short enough to keep an unreachable one quick.
const UNREACHABLE_DEADLINE_MS = 3_000;
// tsx compiles the API on start; a loaded machine needs far less than this.
const API_START_DEADLINE_MS = 90_000;
// The API closes its server, Temporal connection and database pool on SIGTERM within seconds.
const API_STOP_DEADLINE_MS = 15_000;
const POLL_INTERVAL_MS = 250;

describe('maintenance schedule routes', () => {
  let context: ApiTestContext;
  let worker: Awaited<ReturnType<typeof startApiWorker>>;
  let admin: BrowserSession;
  let operator: BrowserSession;
  let viewer: BrowserSession;
  let roots: string;
  let repositoryId: string;

  beforeAll(async () => {
    roots = await mkdtemp(path.join(os.tmpdir(), 'borgflow-maintenance-schedules-'));
    await mkdir(path.join(roots, 'repositories'), { recursive: true });
    await mkdir(path.join(roots, 'sources', 'home'), { recursive: true });
    context = await createApiTestContext({
      TASK_QUEUE: `api-maintenance-${randomBytes(4).toString('hex')}`,
      REPOSITORY_ROOTS: path.join(roots, 'repositories'),
      SOURCE_ROOTS: path.join(roots, 'sources'),
      SCHEDULE_CATCHUP_HOURS: String(CATCHUP_HOURS),
    });
    worker = await startApiWorker(context);
    admin = await adminSession(context.app);
    operator = await createUserSession(context.app, admin, 'operator');
    viewer = await createUserSession(context.app, admin, 'viewer');
    repositoryId = await createRepository('maintained');
  });

  afterAll(async () => {
    const rows = await context?.database.db
      .selectFrom('maintenance_schedules')
      .select('id')
      .execute();
    for (const { id } of rows ?? []) {
      await context.temporal.schedule
        .getHandle(maintenanceScheduleId(id))
        .delete()
        .catch(() => undefined);
    }
    await worker?.close();
    await context?.close();
    await rm(roots, { recursive: true, force: true });
  });

  function createRepository(name: string): Promise<string> {
    return createLocalRepository(context.app, admin, {
      name,
      location: path.join(roots, 'repositories', name),
      passphrase: 'maintenance-test-passphrase-5d1c',
    });
  }

  function createSchedule(
    payload: Record<string, unknown>,
    session: BrowserSession = admin,
    repository = repositoryId,
  ) {
    return context.app.inject({
      method: 'POST',
      url: `/api/repositories/${repository}/schedules`,
      headers: session.headers,
      payload,
    });
  }

  async function createdSchedule(payload: Record<string, unknown>, repository = repositoryId) {
    const response = await createSchedule(payload, admin, repository);
    expect(response.statusCode, response.body).toBe(201);
    return response.json<ScheduleResponse>();
  }

  function patchSchedule(id: string, payload: Record<string, unknown>, session = admin) {
    return context.app.inject({
      method: 'PATCH',
      url: `/api/maintenance-schedules/${id}`,
      headers: session.headers,
      payload,
    });
  }

  function handleOf(id: string): ScheduleHandle {
    return context.temporal.schedule.getHandle(maintenanceScheduleId(id));
  }

  async function rowCount(): Promise<number> {
    const rows = await context.database.db
      .selectFrom('maintenance_schedules')
      .select('id')
      .execute();
    return rows.length;
  }

  describe('POST /api/repositories/:id/schedules', () => {
    it('creates a Temporal schedule that starts checkRepository with trigger schedule', async () => {
      const schedule = await createdSchedule({
        kind: 'check',
        cron: '15 4 * * 0',
        timezone: 'Europe/Berlin',
        options: { verifyData: true },
      });

      expect(schedule).toMatchObject({ kind: 'check', enabled: true, skippedForOverlap: 0 });
      expect(schedule.nextRuns).toHaveLength(5);
      // Berlin is UTC+1 in winter and UTC+2 in summer: 04:15 local is 03:15 or 02:15 UTC.
      expect([2, 3]).toContain(new Date(schedule.nextRuns[0]).getUTCHours());
      expect(new Date(schedule.nextRuns[0]).getUTCDay()).toBe(0);
      const description = await handleOf(schedule.id).describe();
      expect(description.spec.timezone).toBe('Europe/Berlin');
      expect(description.policies).toMatchObject({
        overlap: ScheduleOverlapPolicy.SKIP,
        catchupWindow: CATCHUP_HOURS * 60 * 60 * 1000,
      });
      expect(description.state.paused).toBe(false);
      expect(description.action).toMatchObject({
        workflowType: 'checkRepository',
        workflowId: `check-${repositoryId}`,
        taskQueue: context.config.taskQueue,
        args: [{ repositoryId, trigger: 'schedule', verifyData: true }],
        memo: { summary: `Scheduled check of repository ${repositoryId}` },
      });
      // A described schedule always carries the decoded TypedSearchAttributes, never the pairs.
      const attributes = description.action.typedSearchAttributes as TypedSearchAttributes;
      expect(attributes.get(KIND_ATTRIBUTE)).toBe('check');
      expect(attributes.get(TRIGGER_ATTRIBUTE)).toBe('schedule');
      expect(attributes.get(REPOSITORY_ATTRIBUTE)).toBe(repositoryId);
    });

    it('creates a prune schedule that passes retention, glob and jitter to Temporal', async () => {
      const schedule = await createdSchedule({
        kind: 'prune',
        cron: '@daily',
        jitterSeconds: 600,
        options: { retention: { keepDaily: 7, keepWithin: '2d' }, globArchives: 'web-*' },
      });

      expect(schedule.options).toEqual({
        retention: { keepDaily: 7, keepWithin: '2d' },
        globArchives: 'web-*',
      });
      const description = await handleOf(schedule.id).describe();
      expect(description.spec.jitter).toBe(600_000);
      expect(description.spec.timezone ?? 'UTC').toBe('UTC');
      expect(description.action).toMatchObject({
        workflowType: 'pruneRepository',
        workflowId: `prune-${repositoryId}`,
        args: [
          {
            repositoryId,
            trigger: 'schedule',
            retention: { keepDaily: 7, keepWithin: '2d' },
            globArchives: 'web-*',
          },
        ],
      });
    });

    it.each([
      ['body.cron', { kind: 'check', cron: '61 * * * *' }],
      ['body.cron', { kind: 'check', cron: 'every night' }],
      ['body.timezone', { kind: 'check', cron: '0 3 * * *', timezone: 'Mars/Olympus_Mons' }],
      ['body.options.retention', { kind: 'prune', cron: '0 3 * * *' }],
      ['body.options.retention', { kind: 'prune', cron: '0 3 * * *', options: {} }],
      [
        'body.options.verifyData',
        {
          kind: 'prune',
          cron: '0 3 * * *',
          options: { retention: { keepLast: 3 }, verifyData: true },
        },
      ],
      [
        'body.options.retention',
        { kind: 'check', cron: '0 3 * * *', options: { retention: { keepLast: 3 } } },
      ],
      [
        'body.options.archivesOnly',
        { kind: 'check', cron: '0 3 * * *', options: { repositoryOnly: true, archivesOnly: true } },
      ],
      [
        'body.options.maxDurationSeconds',
        {
          kind: 'check',
          cron: '0 3 * * *',
          options: { maxDurationSeconds: 600, verifyData: true },
        },
      ],
      ['body.kind', { kind: 'compact', cron: '0 3 * * *' }],
    ])('refuses %s with a 400 naming the field', async (field, payload) => {
      const before = await rowCount();

      const response = await createSchedule(payload);

      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field });
      expect(response.json().error.message).toContain(field.replace(/^body\./, ''));
      expect(await rowCount()).toBe(before);
    });

    it('refuses a cron Temporal does not accept and keeps no row behind', async () => {
      const before = await rowCount();

      // cron-parser reads L as "last day of the month"; Temporal's cron does not know it.
      const response = await createSchedule({ kind: 'check', cron: '0 0 L * *' });

      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().error).toMatchObject({ field: 'body.cron' });
      expect(await rowCount()).toBe(before);
    });

    it('answers 404 for a repository that does not exist', async () => {
      const response = await createSchedule(
        { kind: 'check', cron: '0 3 * * *' },
        admin,
        '01ARZ3NDEKTSV4RRFFQ69G5FAV',
      );

      expect(response.statusCode).toBe(404);
    });

    it('is refused to an operator: a schedule prunes unattended', async () => {
      const before = await rowCount();

      const response = await createSchedule({ kind: 'check', cron: '0 3 * * *' }, operator);

      expect(response.statusCode).toBe(403);
      expect(await rowCount()).toBe(before);
    });
  });

  describe('GET /api/repositories/:id/schedules', () => {
    it('lists the repository’s schedules with Temporal’s next runs, for a viewer too', async () => {
      const otherRepository = await createRepository('listed-elsewhere');
      const elsewhere = await createdSchedule(
        { kind: 'check', cron: '0 1 * * *' },
        otherRepository,
      );
      const here = await createdSchedule({ kind: 'check', cron: '30 5 * * *' });

      const response = await context.app.inject({
        method: 'GET',
        url: `/api/repositories/${repositoryId}/schedules`,
        headers: viewer.headers,
      });

      expect(response.statusCode, response.body).toBe(200);
      const { schedules } = response.json<{ schedules: (ScheduleResponse & { cron: string })[] }>();
      const ids = schedules.map((schedule) => schedule.id);
      expect(ids).toContain(here.id);
      expect(ids).not.toContain(elsewhere.id);
      const listed = schedules.find((schedule) => schedule.id === here.id);
      expect(listed).toMatchObject({ cron: '30 5 * * *', timezone: 'UTC', skippedForOverlap: 0 });
      expect(new Date(listed!.nextRuns[0]).getUTCHours()).toBe(5);
      expect(new Date(listed!.nextRuns[0]).getUTCMinutes()).toBe(30);
    });

    it('answers 404 for a repository that does not exist', async () => {
      const response = await context.app.inject({
        method: 'GET',
        url: '/api/repositories/01ARZ3NDEKTSV4RRFFQ69G5FAV/schedules',
        headers: viewer.headers,
      });

      expect(response.statusCode).toBe(404);
    });
  });

  describe('PATCH /api/maintenance-schedules/:id', () => {
    it('pauses the schedule when disabled, resumes it when enabled and follows a new cron', async () => {
      const schedule = await createdSchedule({ kind: 'check', cron: '0 2 * * *' });
      const handle = handleOf(schedule.id);

      const disabled = await patchSchedule(schedule.id, { enabled: false });
      expect(disabled.statusCode, disabled.body).toBe(200);
      expect(disabled.json()).toMatchObject({ enabled: false });
      const paused = await handle.describe();
      expect(paused.state).toMatchObject({ paused: true, note: 'schedule disabled in Borgflow' });

      const changed = await patchSchedule(schedule.id, {
        enabled: true,
        cron: '45 6 * * *',
        options: { repositoryOnly: true, maxDurationSeconds: 900 },
      });
      expect(changed.statusCode, changed.body).toBe(200);
      const resumed = await handle.describe();
      expect(resumed.state.paused).toBe(false);
      expect(resumed.spec.calendars?.[0]).toMatchObject({
        hour: [{ start: 6, end: 6, step: 1 }],
        minute: [{ start: 45, end: 45, step: 1 }],
      });
      expect(resumed.action).toMatchObject({
        args: [{ repositoryOnly: true, maxDurationSeconds: 900, trigger: 'schedule' }],
      });
      const audit = await context.database.db
        .selectFrom('audit_log')
        .select(['action', 'username'])
        .where('target', '=', `maintenance-schedule:${schedule.id}`)
        .orderBy('id')
        .execute();
      expect(audit.map((entry) => entry.action)).toEqual([
        'maintenance-schedule.create',
        'maintenance-schedule.disable',
        'maintenance-schedule.enable',
      ]);
      expect(audit[0].username).toBe('admin');
    });

    it('keeps the kind and validates the merged schedule', async () => {
      const schedule = await createdSchedule({
        kind: 'prune',
        cron: '0 4 * * *',
        options: { retention: { keepLast: 10 } },
      });

      const kindChange = await patchSchedule(schedule.id, { kind: 'check' });
      const lostRetention = await patchSchedule(schedule.id, { options: { compact: false } });
      const badZone = await patchSchedule(schedule.id, { timezone: 'Nowhere/Land' });

      expect(kindChange.statusCode).toBe(400);
      expect(lostRetention.json().error).toMatchObject({ field: 'body.options.retention' });
      expect(badZone.json().error).toMatchObject({ field: 'body.timezone' });
      const row = await context.database.db
        .selectFrom('maintenance_schedules')
        .select(['kind', 'options', 'timezone'])
        .where('id', '=', schedule.id)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({
        kind: 'prune',
        options: { retention: { keepLast: 10 } },
        timezone: 'UTC',
      });
    });

    it('is refused to an operator and answers 404 for an unknown schedule', async () => {
      const schedule = await createdSchedule({ kind: 'check', cron: '0 2 * * *' });

      const refused = await patchSchedule(schedule.id, { enabled: false }, operator);
      const missing = await patchSchedule('01ARZ3NDEKTSV4RRFFQ69G5FAV', { enabled: false });

      expect(refused.statusCode).toBe(403);
      expect(missing.statusCode).toBe(404);
      expect((await handleOf(schedule.id).describe()).state.paused).toBe(false);
    });
  });

  describe('DELETE /api/maintenance-schedules/:id', () => {
    it('deletes the row and the Temporal schedule and records it', async () => {
      const schedule = await createdSchedule({ kind: 'check', cron: '0 2 * * *' });
      const refused = await context.app.inject({
        method: 'DELETE',
        url: `/api/maintenance-schedules/${schedule.id}`,
        headers: operator.headers,
      });
      expect(refused.statusCode).toBe(403);

      const response = await context.app.inject({
        method: 'DELETE',
        url: `/api/maintenance-schedules/${schedule.id}`,
        headers: admin.headers,
      });

      expect(response.statusCode, response.body).toBe(204);
      await expect(handleOf(schedule.id).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
      const audit = await context.database.db
        .selectFrom('audit_log')
        .select('action')
        .where('target', '=', `maintenance-schedule:${schedule.id}`)
        .orderBy('id')
        .execute();
      expect(audit.map((entry) => entry.action)).toEqual([
        'maintenance-schedule.create',
        'maintenance-schedule.delete',
      ]);
    });
  });

  describe('DELETE /api/repositories/:id', () => {
    it('deletes the repository’s schedules in Temporal along with their rows', async () => {
      const doomed = await createRepository('doomed');
      const check = await createdSchedule({ kind: 'check', cron: '0 2 * * *' }, doomed);
      const prune = await createdSchedule(
        { kind: 'prune', cron: '0 3 * * *', options: { retention: { keepLast: 1 } } },
        doomed,
      );
      const survivor = await createdSchedule({ kind: 'check', cron: '0 2 * * *' });

      const response = await context.app.inject({
        method: 'DELETE',
        url: `/api/repositories/${doomed}`,
        headers: admin.headers,
      });

      expect(response.statusCode, response.body).toBe(204);
      await expect(handleOf(check.id).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
      await expect(handleOf(prune.id).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
      const left = await context.database.db
        .selectFrom('maintenance_schedules')
        .select('id')
        .where('repository_id', '=', doomed)
        .execute();
      expect(left).toEqual([]);
      expect((await handleOf(survivor.id).describe()).state.paused).toBe(false);
    });
  });

  describe('reconcileSchedules', () => {
    function captureLogs() {
      const lines: string[] = [];
      const logger = createLogger({
        level: 'info',
        name: 'api',
        destination: { write: (line: string) => void lines.push(line) },
      });
      return { logger, lines };
    }

    it('puts back schedules deleted or paused in Temporal behind Borgflow’s back', async () => {
      const lost = await createdSchedule({ kind: 'check', cron: '10 3 * * *' });
      const tampered = await createdSchedule({
        kind: 'prune',
        cron: '20 3 * * *',
        options: { retention: { keepWeekly: 4 } },
      });
      const plan = await context.app.inject({
        method: 'POST',
        url: '/api/plans',
        headers: admin.headers,
        payload: {
          name: 'reconciled-plan',
          repositoryId,
          sources: [path.join(roots, 'sources', 'home')],
          schedule: { cron: '30 3 * * *', timezone: 'UTC' },
        },
      });
      expect(plan.statusCode, plan.body).toBe(201);
      const planId = plan.json<{ id: string }>().id;
      await handleOf(lost.id).delete();
      await context.temporal.schedule.getHandle(planScheduleId(planId)).delete();
      await handleOf(tampered.id).pause('paused by hand in the Temporal UI');
      const { logger, lines } = captureLogs();

      const outcome = await reconcileSchedules({
        db: context.database.db,
        temporal: context.temporal,
        settings: scheduleSettingsOf(context.config),
        logger,
      });

      expect(outcome.failed).toEqual([]);
      expect(outcome.synced).toEqual(
        expect.arrayContaining([
          maintenanceScheduleId(lost.id),
          maintenanceScheduleId(tampered.id),
          planScheduleId(planId),
        ]),
      );
      const restored = await handleOf(lost.id).describe();
      expect(restored.action).toMatchObject({ workflowType: 'checkRepository' });
      expect(restored.spec.calendars?.[0]).toMatchObject({ minute: [{ start: 10, end: 10 }] });
      expect((await handleOf(tampered.id).describe()).state.paused).toBe(false);
      const restoredPlan = await context.temporal.schedule
        .getHandle(planScheduleId(planId))
        .describe();
      expect(restoredPlan.action).toMatchObject({ workflowType: 'backupPlan' });
      expect(restoredPlan.policies.catchupWindow).toBe(CATCHUP_HOURS * 60 * 60 * 1000);
      expect(lines.join('')).toContain('schedules reconciled');
    });

    it('logs and returns when Temporal cannot be reached, without throwing', async () => {
      await createdSchedule({ kind: 'check', cron: '0 2 * * *' });
      // Nothing listens on port 9 (discard) on loopback: every call fails to connect.
      const connection = Connection.lazy({ address: '127.0.0.1:9' });
      const unreachable = new Client({ connection });
      const { logger, lines } = captureLogs();
      const startedAt = Date.now();

      const outcome = await reconcileSchedules(
        {
          db: context.database.db,
          temporal: unreachable,
          settings: scheduleSettingsOf(context.config),
          logger,
        },
        UNREACHABLE_DEADLINE_MS,
      );

      await connection.close();
      expect(outcome.synced).toEqual([]);
      expect(outcome.failed.length).toBeGreaterThan(0);
      expect(Date.now() - startedAt).toBeLessThan(UNREACHABLE_DEADLINE_MS + 10_000);
      const warning = lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((entry) => entry.level === 40);
      expect(warning).toMatchObject({
        msg: 'schedules not reconciled with temporal',
        failed: outcome.failed.length,
      });
    });
  });
});

describe('bin/api.ts', () => {
  let context: ApiTestContext;
  let dataDir: string;

  beforeAll(async () => {
    context = await createApiTestContext({
      TASK_QUEUE: `api-reconcile-${randomBytes(4).toString('hex')}`,
    });
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'borgflow-api-reconcile-'));
  });

  afterAll(async () => {
    await context?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  // Starting the real API process under tsx takes several seconds on a busy machine.
  it(
    'syncs schedules that exist only in PostgreSQL once it has started',
    { timeout: 120_000 },
    async () => {
      const { db } = context.database;
      const repositoryId = ulid();
      const scheduleId = ulid();
      await db
        .insertInto('repositories')
        .values({
          id: repositoryId,
          name: 'reconciled',
          location: '/srv/reconciled',
          encryption: 'none',
        })
        .execute();
      await db
        .insertInto('maintenance_schedules')
        .values({
          id: scheduleId,
          repository_id: repositoryId,
          kind: 'prune',
          cron: '0 5 * * *',
          options: { retention: { keepLast: 2 } },
        })
        .execute();
      const handle = context.temporal.schedule.getHandle(maintenanceScheduleId(scheduleId));
      await expect(handle.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);

      const api = startCommand(process.execPath, ['--import', 'tsx', 'bin/api.ts'], {
        DATA_DIR: dataDir,
        DATABASE_URL: context.database.url,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        TASK_QUEUE: context.config.taskQueue,
        PORT: String(await freePort()),
        SECRET_KEY: randomBytes(32).toString('base64'),
        LOG_LEVEL: 'info',
      });
      try {
        const description = await describedWithin(handle, API_START_DEADLINE_MS, api.output);

        expect(description.action).toMatchObject({
          workflowType: 'pruneRepository',
          args: [{ repositoryId, trigger: 'schedule', retention: { keepLast: 2 } }],
        });
      } finally {
        api.child.kill('SIGTERM');
        const stopped = await Promise.race([api.exited, sleep(API_STOP_DEADLINE_MS, 'late')]);
        if (stopped === 'late') api.child.kill('SIGKILL');
        await handle.delete().catch(() => undefined);
      }
      expect(api.output()).toContain('schedules reconciled');
    },
  );
});

/** The schedule's description once Temporal has it, polling until the deadline. */
async function describedWithin(handle: ScheduleHandle, timeoutMs: number, output: () => string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      return await handle.describe();
    } catch (error) {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
    }
    await sleep(POLL_INTERVAL_MS);
  }
  throw new Error(
    `no schedule ${handle.scheduleId} within ${timeoutMs} ms; api said:\n${output()}`,
  );
}

describe('SCHEDULE_CATCHUP_HOURS', () => {
  function problemsOf(value: string): string[] {
    try {
      loadConfig({ SCHEDULE_CATCHUP_HOURS: value }, '/srv/borgflow');
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  }

  it('defaults to four hours and takes whole hours', () => {
    expect(loadConfig({}, '/srv/borgflow').scheduleCatchupHours).toBe(4);
    expect(loadConfig({ SCHEDULE_CATCHUP_HOURS: '48' }, '/srv/borgflow').scheduleCatchupHours).toBe(
      48,
    );
  });

  it.each(['0', '-1', '1.5', 'soon', '9000'])('refuses %s with one line naming it', (value) => {
    expect(problemsOf(value)).toEqual([
      `SCHEDULE_CATCHUP_HOURS: expected a whole number of hours from 1 to 8784, got "${value}"`,
    ]);
  });
});
