import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BorgError, listArchives, repositoryInfo } from '../../activities/borg';
import { secretContexts } from '../../core/secrets/contexts';
import { operatorDecisionUpdate } from '../../workflows/run-context';
import { recordHistory } from '../helpers/histories';
import { waitForOperatorWait, waitForRun, waitForRunStatus } from '../helpers/runs';
import {
  createWorkflowHarness,
  runId,
  TEST_PASSPHRASE,
  type WorkflowHarness,
} from '../helpers/temporal-worker';

const NEW_PASSPHRASE = 'rotated-passphrase-3f9a0c71d2e84b56a7c9';

/** What the API does first when asked to rotate: seal the new passphrase as pending. */
async function storePendingPassphrase(harness: WorkflowHarness, repositoryId: string) {
  await harness.database.db
    .updateTable('repositories')
    .set({
      pending_passphrase_secret: harness.secrets.encrypt(
        NEW_PASSPHRASE,
        secretContexts.repositoryPendingPassphrase(repositoryId),
      ),
    })
    .where('id', '=', repositoryId)
    .execute();
}

describe('rotateRepositoryKey workflow', () => {
  let harness: WorkflowHarness;

  beforeAll(async () => {
    harness = await createWorkflowHarness();
    await harness.startWorker();
  });

  afterAll(() => harness.close());

  async function repositoryWithArchive() {
    const repository = await harness.createRepository();
    const planId = await harness.createPlan({
      repositoryId: repository.id,
      sources: [harness.config.dataDir + '/host-id'],
    });
    await harness.client.workflow.execute('backupPlan', {
      taskQueue: harness.taskQueue,
      workflowId: runId('backup', planId),
      args: [{ planId, trigger: 'manual', operatorWaitSeconds: 0 }],
    });
    await storePendingPassphrase(harness, repository.id);
    return repository;
  }

  function borgRepository(location: string, passphrase: string) {
    return {
      target: { location, passphrase },
      environment: { baseDir: path.join(harness.dataDir, 'borg'), hostId: 'test-reader@1' },
    };
  }

  async function opens(location: string, passphrase: string | undefined) {
    if (!passphrase) return false;
    try {
      await repositoryInfo(borgRepository(location, passphrase));
      return true;
    } catch (error) {
      if (error instanceof BorgError && error.type === 'WRONG_PASSPHRASE') return false;
      throw error;
    }
  }

  async function storedPassphrases(repositoryId: string) {
    const row = await harness.database.db
      .selectFrom('repositories')
      .selectAll()
      .where('id', '=', repositoryId)
      .executeTakeFirstOrThrow();
    return {
      row,
      current: row.passphrase_secret
        ? harness.secrets.decrypt(
            row.passphrase_secret,
            secretContexts.repositoryPassphrase(repositoryId),
          )
        : undefined,
      pending: row.pending_passphrase_secret
        ? harness.secrets.decrypt(
            row.pending_passphrase_secret,
            secretContexts.repositoryPendingPassphrase(repositoryId),
          )
        : undefined,
    };
  }

  function rotate(repositoryId: string) {
    return harness.client.workflow.start('rotateRepositoryKey', {
      taskQueue: harness.taskQueue,
      workflowId: runId('rotate-key', repositoryId),
      args: [{ repositoryId, trigger: 'manual', operatorWaitSeconds: 0 }],
    });
  }

  it('switches to the pending passphrase, keeps an escrow copy and leaves archives readable', async () => {
    const repository = await repositoryWithArchive();

    const handle = await rotate(repository.id);
    await handle.result();
    await recordHistory(harness.client, handle.workflowId);

    const { row, current, pending } = await storedPassphrases(repository.id);
    expect(current).toBe(NEW_PASSPHRASE);
    expect(pending).toBeUndefined();
    expect(row.key_escrow_secret).not.toBeNull();
    expect(await opens(repository.location, NEW_PASSPHRASE)).toBe(true);
    expect(await opens(repository.location, TEST_PASSPHRASE)).toBe(false);
    const archives = await listArchives(borgRepository(repository.location, NEW_PASSPHRASE));
    expect(archives).toHaveLength(1);
  });

  // A crash after each step: only the steps before it have run. Borgflow must still hold a
  // passphrase that opens the repository, and running the rotation again must finish it.
  const STEPS = ['reconcile', 'escrow key', 'change passphrase'] as const;
  it.each(STEPS)('recovers from a crash right after "%s"', async (lastStep) => {
    const repository = await repositoryWithArchive();
    const { activities } = harness;
    const steps: Record<(typeof STEPS)[number], () => Promise<unknown>> = {
      reconcile: () => activities.reconcileRepositoryPassphrase({ repositoryId: repository.id }),
      'escrow key': () => activities.escrowRepositoryKey({ repositoryId: repository.id }),
      'change passphrase': () =>
        activities.changeRepositoryPassphrase({ runId: 'crash-test', repositoryId: repository.id }),
    };
    const environment = new MockActivityEnvironment();
    for (const step of STEPS.slice(0, STEPS.indexOf(lastStep) + 1)) {
      await environment.run(steps[step]);
    }

    const stored = await storedPassphrases(repository.id);
    const opensWithStored =
      (await opens(repository.location, stored.current)) ||
      (await opens(repository.location, stored.pending));
    expect(opensWithStored).toBe(true);

    await (await rotate(repository.id)).result();
    const after = await storedPassphrases(repository.id);
    expect(after.current).toBe(NEW_PASSPHRASE);
    expect(after.pending).toBeUndefined();
    expect(await opens(repository.location, NEW_PASSPHRASE)).toBe(true);
  });
});

// After `borg key change-passphrase` only the pending passphrase opens the repository, while other
// runs load the current one. A rotation stuck after the change must keep them waiting, and leave
// the repository openable with the current passphrase when it ends.
describe('a passphrase rotation that fails after borg changed the key', () => {
  let harness: WorkflowHarness;

  beforeAll(async () => {
    harness = await createWorkflowHarness();
    await harness.startWorker({
      verifyAndPromotePassphrase: () =>
        Promise.reject(
          ApplicationFailure.nonRetryable('verification failed on purpose', 'INJECTED'),
        ),
    });
  });

  afterAll(() => harness.close());

  it('keeps other runs of the repository waiting, then promotes the new passphrase', async () => {
    const repository = await harness.createRepository();
    const planId = await harness.createPlan({
      repositoryId: repository.id,
      sources: [path.join(harness.dataDir, 'host-id')],
    });
    await storePendingPassphrase(harness, repository.id);

    const rotationId = runId('rotate-key', repository.id);
    const rotation = await harness.client.workflow.start('rotateRepositoryKey', {
      taskQueue: harness.taskQueue,
      workflowId: rotationId,
      args: [{ repositoryId: repository.id, trigger: 'manual', operatorWaitSeconds: 600 }],
    });
    const waiting = await waitForOperatorWait(harness.database.db, rotationId);
    expect(waiting.waiting_reason).toMatch(/step "verify and promote" failed/);

    const backupId = runId('backup', planId);
    const backup = await harness.client.workflow.start('backupPlan', {
      taskQueue: harness.taskQueue,
      workflowId: backupId,
      args: [{ planId, trigger: 'manual', operatorWaitSeconds: 0 }],
    });
    const queued = await waitForRun(
      harness.database.db,
      backupId,
      (run) => run.status === 'waiting' && (run.waiting_reason ?? '').includes(rotationId),
    );
    expect(queued.error).toBeNull();

    await rotation.executeUpdate(operatorDecisionUpdate, { args: [{ decision: 'abort' }] });
    expect(await rotation.result()).toMatchObject({ promotedAfterFailure: true });
    await backup.result();
    await recordHistory(harness.client, rotationId);
    // Saved while idle: replays a grant to a run that waited, and releases.
    await recordHistory(harness.client, `repository-lock-${repository.id}`);
    // The backup opened the repository: it ended without error (a warning only lists files).
    const backedUp = await waitForRunStatus(harness.database.db, backupId, [
      'succeeded',
      'warning',
    ]);
    expect(backedUp.error).toBeNull();

    const stored = await harness.database.db
      .selectFrom('repositories')
      .select(['passphrase_secret', 'pending_passphrase_secret'])
      .where('id', '=', repository.id)
      .executeTakeFirstOrThrow();
    expect(stored.pending_passphrase_secret).toBeNull();
    expect(
      harness.secrets.decrypt(
        stored.passphrase_secret!,
        secretContexts.repositoryPassphrase(repository.id),
      ),
    ).toBe(NEW_PASSPHRASE);
  });
});
