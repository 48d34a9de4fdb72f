import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretContexts } from '../../core/secrets/contexts';
import { operatorDecisionUpdate } from '../../workflows/run-context';
import { recordHistory } from '../helpers/histories';
import { waitForOperatorWait, waitForRunStatus } from '../helpers/runs';
import {
  createWorkflowHarness,
  runId,
  TEST_PASSPHRASE,
  type WorkflowHarness,
} from '../helpers/temporal-worker';

describe('a run waiting for an operator', () => {
  let harness: WorkflowHarness;
  let sourceDir: string;

  beforeAll(async () => {
    harness = await createWorkflowHarness();
    await harness.startWorker();
    sourceDir = path.join(harness.dataDir, 'source');
    await mkdir(sourceDir, { recursive: true });
    await writeFile(path.join(sourceDir, 'file.txt'), 'keep me\n');
  });

  afterAll(() => harness.close());

  async function setPassphrase(repositoryId: string, passphrase: string) {
    await harness.database.db
      .updateTable('repositories')
      .set({
        passphrase_secret: harness.secrets.encrypt(
          passphrase,
          secretContexts.repositoryPassphrase(repositoryId),
        ),
      })
      .where('id', '=', repositoryId)
      .execute();
  }

  async function startFailingBackup(extra: Record<string, unknown> = {}) {
    const repository = await harness.createRepository();
    await setPassphrase(repository.id, 'a-wrong-passphrase');
    const planId = await harness.createPlan({ repositoryId: repository.id, sources: [sourceDir] });
    const id = runId('backup', planId);
    const handle = await harness.client.workflow.start('backupPlan', {
      taskQueue: harness.taskQueue,
      workflowId: id,
      args: [{ planId, trigger: 'manual', operatorWaitSeconds: 600, ...extra }],
    });
    return { id, handle, repository, planId };
  }

  it('waits after a failed step and finishes when resumed once the cause is fixed', async () => {
    const { id, handle, repository } = await startFailingBackup();

    const waiting = await waitForOperatorWait(harness.database.db, id);
    expect(waiting.waiting_reason).toMatch(/step "create" failed/);
    await setPassphrase(repository.id, TEST_PASSPHRASE);
    await handle.executeUpdate(operatorDecisionUpdate, { args: [{ decision: 'resume' }] });
    await handle.result();

    await recordHistory(harness.client, id);

    const done = await waitForRunStatus(harness.database.db, id, 'succeeded');
    expect(done.steps?.map((step) => [step.name, step.status])).toEqual([
      ['create', 'failed'],
      ['create', 'succeeded'],
      ['refresh', 'succeeded'],
    ]);
  });

  it('refuses to skip a step that cannot be skipped and fails on abort', async () => {
    const { id, handle } = await startFailingBackup();
    await waitForOperatorWait(harness.database.db, id);

    await expect(
      handle.executeUpdate(operatorDecisionUpdate, { args: [{ decision: 'skip' }] }),
    ).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    await handle.executeUpdate(operatorDecisionUpdate, { args: [{ decision: 'abort' }] });

    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    const row = await waitForRunStatus(harness.database.db, id, 'failed');
    expect(row.error).toMatchObject({ type: 'WRONG_PASSPHRASE' });
  });

  it('fails when nobody answers within the wait, and tells the channels both times', async () => {
    const { id, handle } = await startFailingBackup({ operatorWaitSeconds: 3 });
    await waitForOperatorWait(harness.database.db, id);

    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    await recordHistory(harness.client, id);
    const row = await waitForRunStatus(harness.database.db, id, 'failed');
    expect(row.error).toMatchObject({ type: 'WRONG_PASSPHRASE' });
    expect(row.finished_at!.getTime() - row.started_at!.getTime()).toBeGreaterThanOrEqual(3_000);
    // One notification when it began to wait, one when it failed.
    const notices = await Promise.all(
      [1, 2].map(async (count) => {
        const history = await harness.client.workflow
          .getHandle(`notify-${id}-${count}`)
          .fetchHistory();
        const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
        const [input] = await Promise.all(
          (started?.input?.payloads ?? []).map((payload) =>
            harness.client.options.loadedDataConverter.payloadConverter.fromPayload(payload),
          ),
        );
        return (input as { events: string[] }).events;
      }),
    );
    expect(notices).toEqual([['run.waiting'], ['run.failed']]);
  });

  it('records a cancelled run as canceled', async () => {
    const { id, handle } = await startFailingBackup();
    await waitForOperatorWait(harness.database.db, id);

    await handle.cancel();

    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    await waitForRunStatus(harness.database.db, id, 'canceled');
  });

  it('resumes a restore into a target that holds the failed attempt’s own output', async () => {
    const repository = await harness.createRepository();
    const planId = await harness.createPlan({ repositoryId: repository.id, sources: [sourceDir] });
    const backup = (await harness.client.workflow.execute('backupPlan', {
      taskQueue: harness.taskQueue,
      workflowId: runId('backup', planId),
      args: [{ planId, trigger: 'manual', operatorWaitSeconds: 0 }],
    })) as { archive: string };
    await setPassphrase(repository.id, 'a-wrong-passphrase');
    const target = path.join(harness.config.restoreRoots[0], 'resumed');
    const id = runId('restore', repository.id);
    const handle = await harness.client.workflow.start('restoreArchive', {
      taskQueue: harness.taskQueue,
      workflowId: id,
      args: [
        {
          repositoryId: repository.id,
          archive: backup.archive,
          paths: [],
          target,
          trigger: 'manual',
          operatorWaitSeconds: 600,
        },
      ],
    });

    await waitForOperatorWait(harness.database.db, id);
    // What an interrupted extract leaves behind: part of the restore, already in the target.
    const partial = path.join(target, sourceDir.slice(1), 'file.txt');
    await mkdir(path.dirname(partial), { recursive: true });
    await writeFile(partial, 'keep');
    await setPassphrase(repository.id, TEST_PASSPHRASE);
    await handle.executeUpdate(operatorDecisionUpdate, { args: [{ decision: 'resume' }] });
    await handle.result();

    await recordHistory(harness.client, id);

    const done = await waitForRunStatus(harness.database.db, id, 'succeeded');
    expect(done.steps?.map((step) => [step.name, step.status])).toEqual([
      ['prepare target', 'succeeded'],
      ['extract', 'failed'],
      ['extract', 'succeeded'],
    ]);
    expect(await readFile(partial, 'utf8')).toBe('keep me\n');
  });

  it('links a retry to the run it retries, both ways', async () => {
    const { id: failedId, handle, planId } = await startFailingBackup({ operatorWaitSeconds: 0 });
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);

    const retryId = runId('backup', planId);
    await expect(
      harness.client.workflow.execute('backupPlan', {
        taskQueue: harness.taskQueue,
        workflowId: retryId,
        args: [{ planId, trigger: 'retry', retryOf: failedId, operatorWaitSeconds: 0 }],
      }),
    ).rejects.toBeInstanceOf(WorkflowFailedError);

    const original = await waitForRunStatus(harness.database.db, failedId, 'failed');
    const retry = await waitForRunStatus(harness.database.db, retryId, 'failed');
    expect(original.retried_by).toBe(retryId);
    expect(retry.retry_of).toBe(failedId);
  });
});
