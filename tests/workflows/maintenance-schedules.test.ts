import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listArchives } from '../../activities/borg';
import type { RunRow } from '../../core/db/schema';
import type { MaintenanceKind, MaintenanceScheduleOptions } from '../../core/maintenance-schedules';
import { FINISHED_STATUSES } from '../../core/runs';
import {
  deleteMaintenanceSchedule,
  maintenanceScheduleId,
  maintenanceScheduleSourceOf,
  syncMaintenanceSchedule,
} from '../../core/temporal/maintenance-schedules';
import { scheduleSettingsOf } from '../../core/temporal/schedule-sync';
import { KIND_ATTRIBUTE, TRIGGER_ATTRIBUTE } from '../../core/temporal/search-attributes';
import {
  createWorkflowHarness,
  runId,
  TEST_PASSPHRASE,
  type WorkflowHarness,
} from '../helpers/temporal-worker';

// A check or prune of a tiny repository takes a few seconds; far more means something is stuck.
const RUN_DEADLINE_MS = 45_000;
const POLL_INTERVAL_MS = 250;
// January 1st at 03:00: never due while the test runs, so only the manual trigger starts a run.
const NEVER_DURING_TESTS = '0 3 1 1 *';

describe('maintenance schedules', () => {
  let harness: WorkflowHarness;
  let repository: { id: string; location: string };
  const scheduleIds: string[] = [];

  beforeAll(async () => {
    harness = await createWorkflowHarness();
    await harness.startWorker();
    const sourceDir = path.join(harness.dataDir, 'source');
    await mkdir(sourceDir, { recursive: true });
    await writeFile(path.join(sourceDir, 'ledger.csv'), 'date,amount\n2026-12-01,42\n');
    repository = await harness.createRepository();
    // Two plans, so two archives with different names even when both start in the same second.
    for (const name of ['alpha', 'beta']) {
      const planId = await harness.createPlan({
        repositoryId: repository.id,
        sources: [sourceDir],
        name,
      });
      await harness.client.workflow.execute('backupPlan', {
        taskQueue: harness.taskQueue,
        workflowId: runId('backup', planId),
        args: [{ planId, trigger: 'manual', operatorWaitSeconds: 0 }],
      });
    }
  });

  afterAll(async () => {
    for (const id of scheduleIds) await deleteMaintenanceSchedule(harness.client, id);
    await harness?.close();
  });

  /** Stores a schedule as the API would, syncs it to Temporal and fires it once by hand. */
  async function triggerSchedule(kind: MaintenanceKind, options: MaintenanceScheduleOptions) {
    const row = await harness.database.db
      .insertInto('maintenance_schedules')
      .values({
        id: ulid(),
        repository_id: repository.id,
        kind,
        cron: NEVER_DURING_TESTS,
        options,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    scheduleIds.push(row.id);
    await syncMaintenanceSchedule(
      harness.client,
      scheduleSettingsOf(harness.config),
      maintenanceScheduleSourceOf(row),
    );
    const handle = harness.client.schedule.getHandle(maintenanceScheduleId(row.id));

    await handle.trigger();
    return { handle, run: await finishedScheduledRun(kind) };
  }

  async function finishedScheduledRun(kind: MaintenanceKind): Promise<RunRow> {
    const deadline = Date.now() + RUN_DEADLINE_MS;
    let last: RunRow | undefined;
    while (Date.now() < deadline) {
      last = await harness.database.db
        .selectFrom('runs')
        .selectAll()
        .where('repository_id', '=', repository.id)
        .where('kind', '=', kind)
        .where('trigger', '=', 'schedule')
        .executeTakeFirst();
      if (last && (FINISHED_STATUSES as readonly string[]).includes(last.status)) return last;
      await sleep(POLL_INTERVAL_MS);
    }
    throw new Error(
      `no finished scheduled ${kind} run within ${RUN_DEADLINE_MS} ms; last seen: ${JSON.stringify(last ?? null)}`,
    );
  }

  it('runs checkRepository from the schedule and records it with trigger schedule', async () => {
    const { handle, run } = await triggerSchedule('check', { verifyData: true });

    expect(run).toMatchObject({ kind: 'check', status: 'succeeded', trigger: 'schedule' });
    expect(run.id.startsWith(`check-${repository.id}-`)).toBe(true);
    expect(run.input).toMatchObject({ repositoryId: repository.id, verifyData: true });
    expect(run.stats).toMatchObject({ isHealthy: true });
    const description = await handle.describe();
    expect(
      description.info.recentActions.map((action) => action.action.workflow.workflowId),
    ).toEqual([run.id]);
    const execution = await harness.client.workflow.getHandle(run.id).describe();
    expect(execution.typedSearchAttributes.get(KIND_ATTRIBUTE)).toBe('check');
    expect(execution.typedSearchAttributes.get(TRIGGER_ATTRIBUTE)).toBe('schedule');
  });

  it('runs pruneRepository from the schedule with the stored retention', async () => {
    const { run } = await triggerSchedule('prune', { retention: { keepLast: 1 } });

    expect(run).toMatchObject({ kind: 'prune', status: 'succeeded', trigger: 'schedule' });
    expect(run.id.startsWith(`prune-${repository.id}-`)).toBe(true);
    expect(run.stats?.pruned).toHaveLength(1);
    expect(run.steps?.map((step) => step.name)).toEqual(['prune', 'compact', 'refresh']);
    const archives = await listArchives({
      target: { location: repository.location, passphrase: TEST_PASSPHRASE },
      environment: { baseDir: path.join(harness.dataDir, 'borg'), hostId: 'test-reader@1' },
    });
    expect(archives).toHaveLength(1);
  });
});
