import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunRow } from '../../core/db/schema';
import {
  deletePlanSchedule,
  describePlanSchedule,
  planScheduleId,
  syncPlanSchedule,
} from '../../core/temporal/plan-schedules';
import { scheduleSettingsOf } from '../../core/temporal/schedule-sync';
import { TRIGGER_ATTRIBUTE } from '../../core/temporal/search-attributes';
import { waitForRunStatus } from '../helpers/runs';
import { createWorkflowHarness, type WorkflowHarness } from '../helpers/temporal-worker';

const POLL_INTERVAL_MS = 500;
// The first tick comes within a minute, the one that must be skipped a minute later.
const FIRST_TICK_DEADLINE_MS = 75_000;
const SKIPPED_TICK_DEADLINE_MS = 75_000;
// The before-hook holds the run until the test has seen the skip, but never longer than this.
const HOOK_LIMIT_SECONDS = 200;

describe('a plan scheduled every minute', () => {
  let harness: WorkflowHarness;
  let planId: string;
  let repositoryId: string;
  let releaseFile: string;

  beforeAll(async () => {
    harness = await createWorkflowHarness();
    await harness.startWorker();
    const sourceDir = path.join(harness.dataDir, 'source');
    await mkdir(sourceDir, { recursive: true });
    await writeFile(path.join(sourceDir, 'notes.txt'), 'minutes of the meeting\n');
    releaseFile = path.join(harness.dataDir, 'release-the-backup');
    repositoryId = (await harness.createRepository()).id;
    planId = await harness.createPlan({
      repositoryId,
      sources: [sourceDir],
      hooks: [
        {
          name: 'hold',
          when: 'before',
          command: `for i in $(seq ${HOOK_LIMIT_SECONDS * 10}); do [ -e ${releaseFile} ] && exit 0; sleep 0.1; done; exit 1`,
          timeoutSeconds: HOOK_LIMIT_SECONDS + 10,
        },
      ],
    });
  });

  afterAll(async () => {
    if (planId) await deletePlanSchedule(harness.client, planId);
    await harness?.close();
  });

  async function scheduledRuns(): Promise<RunRow[]> {
    return harness.database.db
      .selectFrom('runs')
      .selectAll()
      .where('plan_id', '=', planId)
      .orderBy('created_at')
      .execute();
  }

  async function firstScheduledRun(): Promise<RunRow> {
    const deadline = Date.now() + FIRST_TICK_DEADLINE_MS;
    while (Date.now() < deadline) {
      const [run] = await scheduledRuns();
      if (run) return run;
      await sleep(POLL_INTERVAL_MS);
    }
    throw new Error(`no scheduled run within ${FIRST_TICK_DEADLINE_MS} ms`);
  }

  async function skippedTicks(): Promise<number> {
    const deadline = Date.now() + SKIPPED_TICK_DEADLINE_MS;
    let skipped = 0;
    while (Date.now() < deadline) {
      skipped = (await describePlanSchedule(harness.client, planId))?.skippedForOverlap ?? 0;
      if (skipped > 0) return skipped;
      await sleep(POLL_INTERVAL_MS);
    }
    return skipped;
  }

  // Two real minute ticks of the Temporal dev server.
  it('starts a run with trigger schedule and skips the tick that comes while it runs', async () => {
    await syncPlanSchedule(harness.client, scheduleSettingsOf(harness.config), {
      id: planId,
      name: 'every-minute',
      repositoryId,
      enabled: true,
      scheduleCron: '* * * * *',
      scheduleTimezone: 'UTC',
    });

    const first = await firstScheduledRun();
    expect(first).toMatchObject({ kind: 'backup', trigger: 'schedule' });
    expect(first.id.startsWith(`backup-${planId}-`)).toBe(true);
    const execution = await harness.client.workflow.getHandle(first.id).describe();
    expect(execution.typedSearchAttributes.get(TRIGGER_ATTRIBUTE)).toBe('schedule');

    expect(await skippedTicks()).toBe(1);
    // The skipped tick started nothing: the first run is still the only one and still going.
    const whileSkipped = await scheduledRuns();
    expect(whileSkipped.map((run) => run.id)).toEqual([first.id]);
    expect(['running', 'queued']).toContain(whileSkipped[0].status);

    // No third tick should start a run while the harness shuts down. Paused, not deleted: the
    // run reads the schedule's skip count when it ends.
    await harness.client.schedule.getHandle(planScheduleId(planId)).pause('test is ending');
    await writeFile(releaseFile, '');
    const finished = await waitForRunStatus(harness.database.db, first.id, ['succeeded', 'failed']);
    expect(finished.status).toBe('succeeded');

    // The skipped tick is a run of its own in the list, pointing at the run it gave way to.
    // Recorded as the run ends, right after its own status.
    const skipped = await vi.waitFor(
      async () => {
        const rows = (await scheduledRuns()).filter((run) => run.status === 'skipped');
        expect(rows).toHaveLength(1);
        return rows;
      },
      { timeout: 15_000, interval: 200 },
    );
    expect(skipped[0]).toMatchObject({
      kind: 'backup',
      plan_id: planId,
      repository_id: repositoryId,
    });
    expect(skipped[0].stats).toMatchObject({
      skippedBecause: `a scheduled start came while ${first.id} was still running`,
    });
  }, 240_000);

  it('records no skipped start for a schedule deleted while its run went on', async () => {
    const recorded = await new MockActivityEnvironment().run(() =>
      harness.activities.recordSkippedScheduleStarts({
        scheduleId: planScheduleId('01M9DELETEDPLAN0000000000'),
        runId: 'backup-01M9DELETEDPLAN0000000000-01M9RUN000000000000000000',
        kind: 'backup',
      }),
    );

    expect(recorded).toBe(0);
  });
});
