import { CancellationScope, isCancellation, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { RotateKeyRunInput } from '../core/runs';
import { BORG_ACTIVITY } from './activity-options';
import { repositoryRun } from './maintenance-runs';

const borg = proxyActivities<Activities>(BORG_ACTIVITY);
/** Few attempts: this runs while the rotation is failing, and must not hold its end for long. */
const settling = proxyActivities<Activities>({
  ...BORG_ACTIVITY,
  startToCloseTimeout: '5 minutes',
  retry: { ...BORG_ACTIVITY.retry, maximumAttempts: 3 },
});

/**
 * Rotations started before this change gave the repository back while waiting for an operator;
 * their histories must replay that way.
 */
const HOLD_REPOSITORY_PATCH = 'rotation-holds-repository';

/**
 * Changes a repository's passphrase to the one the API stored as pending. Each step leaves a
 * stored passphrase that opens the repository, and running the rotation again after a crash
 * finishes it (reconcile first). Borg re-wraps the key; archived data is not re-encrypted.
 */
export async function rotateRepositoryKey(
  input: RotateKeyRunInput,
): Promise<Record<string, unknown>> {
  const { repositoryId } = input;
  // Between the change and the promotion only the pending passphrase opens the repository, and
  // other runs load the current one: they must not get the repository while this run waits for
  // an operator, or they would fail with a wrong passphrase.
  const holdsRepository = patched(HOLD_REPOSITORY_PATCH);
  const lockWhileWaiting = holdsRepository ? {} : { repositoryId };

  return repositoryRun('rotate-key', { ...input }, async (run) => {
    try {
      const reconciled = await run.step('reconcile', () =>
        borg.reconcileRepositoryPassphrase({ repositoryId }),
      );
      if ('value' in reconciled && reconciled.value === 'rotation-already-done') {
        return { status: 'succeeded', stats: { completedEarlierRotation: true } };
      }
      await run.step(
        'escrow key',
        () => borg.escrowRepositoryKey({ repositoryId }),
        lockWhileWaiting,
      );
      await run.step(
        'change passphrase',
        () => borg.changeRepositoryPassphrase({ runId: run.runId, repositoryId }),
        lockWhileWaiting,
      );
      await run.step(
        'verify and promote',
        () => borg.verifyAndPromotePassphrase({ repositoryId }),
        lockWhileWaiting,
      );
    } catch (error) {
      if (!holdsRepository) throw error;
      // Before the repository goes to the next run, make the current passphrase the one that
      // opens it: when borg already took the new one, promote it.
      const settled = await CancellationScope.nonCancellable(() =>
        settling.reconcileRepositoryPassphrase({ repositoryId }).catch(() => undefined),
      );
      if (settled === 'rotation-already-done' && !isCancellation(error)) {
        run.markStep('promote after failure', 'succeeded');
        return {
          status: 'succeeded',
          stats: { dataReencrypted: false, promotedAfterFailure: true },
        };
      }
      throw error;
    }

    return { status: 'succeeded', stats: { dataReencrypted: false } };
  });
}
