import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { secretContexts } from '../core/secrets/contexts';
import {
  BorgError,
  changePassphrase,
  exportKey,
  repositoryInfo,
  type BorgRepository,
} from './borg';
import type { ActivityDependencies } from './dependencies';
import { loadBorgRepository } from './repository-access';
import { asTemporalFailure } from './run-errors';
import { createRunLog } from './run-log';

/** Which stored passphrase opens the repository once an interrupted rotation is reconciled. */
export type PassphraseState = 'rotation-pending' | 'rotation-already-done';

/**
 * Rotating a repository passphrase without ever locking Borgflow out: the new passphrase is stored
 * as *pending* before borg is touched, and at every step one of the two stored passphrases opens
 * the repository. Borg re-wraps the repository key; archived data is not re-encrypted.
 */
export function createKeyRotationActivities(deps: ActivityDependencies) {
  const { db, secrets } = deps;

  async function storedPassphrases(repositoryId: string) {
    const row = await db
      .selectFrom('repositories')
      .select(['passphrase_secret', 'pending_passphrase_secret'])
      .where('id', '=', repositoryId)
      .executeTakeFirstOrThrow();
    const open = (sealed: string | null, context: string) =>
      sealed ? secrets.decrypt(sealed, context) : undefined;

    return {
      current: open(row.passphrase_secret, secretContexts.repositoryPassphrase(repositoryId)),
      pending: open(
        row.pending_passphrase_secret,
        secretContexts.repositoryPendingPassphrase(repositoryId),
      ),
    };
  }

  async function opensWith(repository: BorgRepository, passphrase: string | undefined) {
    try {
      await repositoryInfo(
        { ...repository, target: { ...repository.target, passphrase } },
        { signal: Context.current().cancellationSignal },
      );
      return true;
    } catch (error) {
      if (error instanceof BorgError && error.type === 'WRONG_PASSPHRASE') return false;
      throw error;
    }
  }

  /** Makes the pending passphrase the current one and keeps a fresh escrow copy of the key. */
  async function promote(repositoryId: string, repository: BorgRepository, passphrase: string) {
    const key = await exportKey({ ...repository, target: { ...repository.target, passphrase } });
    await db
      .updateTable('repositories')
      .set({
        passphrase_secret: secrets.encrypt(
          passphrase,
          secretContexts.repositoryPassphrase(repositoryId),
        ),
        pending_passphrase_secret: null,
        key_escrow_secret: secrets.encrypt(key, secretContexts.repositoryKeyEscrow(repositoryId)),
        updated_at: new Date(),
      })
      .where('id', '=', repositoryId)
      .execute();
  }

  return {
    /**
     * Finds out where an earlier, interrupted rotation stopped: when the pending passphrase
     * already opens the repository, borg was changed and only the promotion is left.
     */
    async reconcileRepositoryPassphrase({ repositoryId }: { repositoryId: string }) {
      const repository = await loadBorgRepository(deps, repositoryId);
      const { current, pending } = await storedPassphrases(repositoryId);
      if (!pending) {
        throw ApplicationFailure.nonRetryable('no new passphrase is waiting', 'NOTHING_TO_ROTATE');
      }

      return asTemporalFailure('reconcile passphrase', async (): Promise<PassphraseState> => {
        if (await opensWith(repository, pending)) {
          await promote(repositoryId, repository, pending);
          return 'rotation-already-done';
        }
        if (await opensWith(repository, current)) return 'rotation-pending';
        throw ApplicationFailure.nonRetryable(
          'neither stored passphrase opens the repository; restore it from the key escrow',
          'WRONG_PASSPHRASE',
        );
      });
    },

    /** Keeps an encrypted copy of the key as it is before the change. */
    async escrowRepositoryKey({ repositoryId }: { repositoryId: string }): Promise<void> {
      const repository = await loadBorgRepository(deps, repositoryId);

      await asTemporalFailure('export key', async () => {
        const key = await exportKey(repository);
        await db
          .updateTable('repositories')
          .set({
            key_escrow_secret: secrets.encrypt(
              key,
              secretContexts.repositoryKeyEscrow(repositoryId),
            ),
          })
          .where('id', '=', repositoryId)
          .execute();
      });
    },

    /** `borg key change-passphrase` from the current to the pending passphrase. */
    async changeRepositoryPassphrase(request: {
      runId: string;
      repositoryId: string;
    }): Promise<void> {
      const repository = await loadBorgRepository(deps, request.repositoryId);
      const { pending } = await storedPassphrases(request.repositoryId);
      if (!pending) {
        throw ApplicationFailure.nonRetryable('no new passphrase is waiting', 'NOTHING_TO_ROTATE');
      }

      await asTemporalFailure('change passphrase', async () => {
        // A retry after a crash may find the change already made.
        if (await opensWith(repository, pending)) return;
        await changePassphrase(repository, pending, {
          log: createRunLog(db, request.runId, deps.logger),
          signal: Context.current().cancellationSignal,
        });
      });
    },

    /** Proves the pending passphrase opens the repository, then makes it the current one. */
    async verifyAndPromotePassphrase({ repositoryId }: { repositoryId: string }): Promise<void> {
      const repository = await loadBorgRepository(deps, repositoryId);
      const { pending } = await storedPassphrases(repositoryId);
      if (!pending) return;

      await asTemporalFailure('verify new passphrase', async () => {
        if (!(await opensWith(repository, pending))) {
          throw ApplicationFailure.nonRetryable(
            'the new passphrase does not open the repository; the current one is kept',
            'WRONG_PASSPHRASE',
          );
        }
        await promote(repositoryId, repository, pending);
      });
    },
  };
}
