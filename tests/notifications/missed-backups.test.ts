import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskNotificationUrl } from '../../api/routes/notifications';
import { secretContexts } from '../../core/secrets/contexts';
import {
  MISSED_BACKUP_SCHEDULE_ID,
  syncMissedBackupSchedule,
} from '../../core/temporal/missed-backup-schedule';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { createWorkflowHarness, runId, type WorkflowHarness } from '../helpers/temporal-worker';

// 1.8 seconds: short enough for a test to wait it out, long enough to outlast a fresh backup.
const TINY_THRESHOLD_HOURS = 0.0005;
const THRESHOLD_MS = TINY_THRESHOLD_HOURS * 3600 * 1000;

describe('checkMissedBackups workflow', () => {
  let harness: WorkflowHarness;
  let receiver: Receiver;
  let sourceDir: string;

  beforeAll(async () => {
    harness = await createWorkflowHarness();
    receiver = await startReceiver();
    await harness.startWorker();
    sourceDir = path.join(harness.dataDir, 'source');
    await mkdir(sourceDir, { recursive: true });
    await writeFile(path.join(sourceDir, 'a.txt'), 'a\n');
  });

  afterAll(async () => {
    await receiver.close();
    await harness.close();
  });

  async function planWatchedBy(hookPath: string, missedBackupHours: number) {
    const repository = await harness.createRepository();
    const planId = await harness.createPlan({
      repositoryId: repository.id,
      sources: [sourceDir],
      options: { missedBackupHours },
    });
    const id = ulid();
    const url = receiver.appriseUrl(hookPath);
    await harness.database.db
      .insertInto('notification_channels')
      .values({
        id,
        name: `missed-${id.slice(-6)}`,
        url_secret: harness.secrets.encrypt(url, secretContexts.notificationUrl(id)),
        url_masked: maskNotificationUrl(url),
        events: ['backup.missed'],
        plan_ids: [planId],
      })
      .execute();
    return planId;
  }

  async function check(): Promise<string[]> {
    const { planIds } = await harness.client.workflow.execute('checkMissedBackups', {
      taskQueue: harness.taskQueue,
      workflowId: `missed-backups-test-${ulid()}`,
      args: [],
    });
    return planIds as string[];
  }

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('alerts once per gap, and again after a backup closed the gap and a new one opened', async () => {
    const hookPath = '/missed/late-plan';
    const planId = await planWatchedBy(hookPath, TINY_THRESHOLD_HOURS);
    await sleep(THRESHOLD_MS + 200);

    expect(await check()).toContain(planId);
    expect(await check()).not.toContain(planId);

    await receiver.waitFor(() => receiver.messages(hookPath).length >= 1);
    const [alert] = receiver.messages(hookPath);
    expect(alert.title).toMatch(/^Backup missed: /);
    expect(alert.message).toContain('It has never made one.');

    await harness.client.workflow.execute('backupPlan', {
      taskQueue: harness.taskQueue,
      workflowId: runId('backup', planId),
      args: [{ planId, trigger: 'manual', operatorWaitSeconds: 0 }],
    });
    expect(await check()).not.toContain(planId);
    await sleep(THRESHOLD_MS + 200);

    expect(await check()).toContain(planId);
    await receiver.waitFor(() => receiver.messages(hookPath).length >= 2);
    expect(receiver.messages(hookPath)[1].message).toMatch(/The last one finished at /);
  });

  it('leaves plans alone whose newest backup is within their threshold', async () => {
    const planId = await planWatchedBy('/missed/on-time', 24);

    expect(await check()).not.toContain(planId);
  });
});

describe('syncMissedBackupSchedule', () => {
  let harness: WorkflowHarness;

  beforeAll(async () => {
    harness = await createWorkflowHarness();
  });

  afterAll(async () => {
    await harness.client.schedule
      .getHandle(MISSED_BACKUP_SCHEDULE_ID)
      .delete()
      .catch(() => undefined);
    await harness.close();
  });

  it('creates the schedule once and updates it in place, skipping overlapping checks', async () => {
    await syncMissedBackupSchedule(harness.client, { taskQueue: harness.taskQueue });
    await syncMissedBackupSchedule(harness.client, {
      taskQueue: harness.taskQueue,
      intervalMinutes: 5,
    });

    const description = await harness.client.schedule
      .getHandle(MISSED_BACKUP_SCHEDULE_ID)
      .describe();
    expect(description.spec.intervals).toMatchObject([{ every: 5 * 60 * 1000 }]);
    expect(description.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
    expect(description.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'checkMissedBackups',
      taskQueue: harness.taskQueue,
    });
  });
});
