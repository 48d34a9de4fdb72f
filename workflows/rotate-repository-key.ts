import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { RotateKeyRunInput } from '../core/runs';
import { BORG_ACTIVITY } from './activity-options';
import { repositoryRun } from './maintenance-runs';

const borg = proxyActivities<Activities>(BORG_ACTIVITY);

/**
 * Changes a repository's passphrase to the one the API stored as pending. Each step leaves a
 * stored passphrase that opens the repository, and running the rotation again after a crash
 * finishes it (reconcile first). Borg re-wraps the key; archived data is not re-encrypted.
 */
export async function rotateRepositoryKey(
  input: RotateKeyRunInput,
): Promise<Record<string, unknown>> {
  const { repositoryId } = input;

  return repositoryRun('rotate-key', { ...input }, async (run) => {
    const reconciled = await run.step('reconcile', () =>
      borg.reconcileRepositoryPassphrase({ repositoryId }),
    );
    if ('value' in reconciled && reconciled.value === 'rotation-already-done') {
      return { status: 'succeeded', stats: { completedEarlierRotation: true } };
    }
    await run.step('escrow key', () => borg.escrowRepositoryKey({ repositoryId }), {
      repositoryId,
    });
    await run.step(
      'change passphrase',
      () => borg.changeRepositoryPassphrase({ runId: run.runId, repositoryId }),
      { repositoryId },
    );
    await run.step('verify and promote', () => borg.verifyAndPromotePassphrase({ repositoryId }), {
      repositoryId,
    });

    return { status: 'succeeded', stats: { dataReencrypted: false } };
  });
}
