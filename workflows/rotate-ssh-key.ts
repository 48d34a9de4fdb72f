import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { DEFAULT_AUTHORIZED_KEYS_FILE, type RotateSshKeyRunInput } from '../core/runs';
import { BORG_ACTIVITY } from './activity-options';
import { repositoryRun } from './maintenance-runs';

// Short ssh and borg calls without progress to report: a time limit instead of heartbeats.
const ssh = proxyActivities<Activities>({
  ...BORG_ACTIVITY,
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: undefined,
});

/**
 * Replaces the SSH key of a remote repository. The order keeps Borgflow able to reach the
 * repository at every step: the new key is authorised and proven before the repository switches
 * to it, and the old key leaves the server only after that. A step that needs a person (a key
 * restricted to `borg serve` cannot edit authorized_keys) makes the run wait with instructions.
 */
export async function rotateSshKey(input: RotateSshKeyRunInput): Promise<Record<string, unknown>> {
  const { repositoryId, fromKeyId, newKeyId } = input;
  const authorizedKeysFile = input.authorizedKeysFile ?? DEFAULT_AUTHORIZED_KEYS_FILE;
  const serve = { appendOnly: input.appendOnly, storageQuota: input.storageQuota };
  const keys = { repositoryId, newKeyId, authorizedKeysFile, serve };

  return repositoryRun('rotate-ssh-key', { ...input }, async (run) => {
    const prepared = await run.step(
      'generate key',
      () => ssh.prepareSshKeyRotation({ repositoryId, fromKeyId, newKeyId, serve }),
      { repositoryId },
    );
    if (!('value' in prepared)) return { status: 'skipped', stats: {} };
    const { oldKeyId, newFingerprint } = prepared.value;

    await run.step('authorise new key', () => ssh.authorizeNewSshKey({ ...keys, oldKeyId }), {
      repositoryId,
    });
    await run.step('verify new key', () => ssh.verifyNewSshKey(keys), { repositoryId });
    await run.step('switch repository', () => ssh.switchRepositorySshKey(keys), { repositoryId });
    const revoked = await run.step(
      'revoke old key',
      () => ssh.revokeOldSshKey({ ...keys, oldKeyId }),
      { repositoryId, isSkippable: true },
    );
    const retired = await run.step('retire old key', () => ssh.retireSshKey({ oldKeyId }), {
      repositoryId,
    });

    const oldKeyRevoked = 'value' in revoked && revoked.value.revoked;
    const oldKeySharedWith = 'value' in revoked ? revoked.value.sharedWith : [];
    const stats = {
      oldKeyId,
      newKeyId,
      newFingerprint,
      oldKeyRevoked,
      oldKeySharedWith,
      oldKeyRetired: 'value' in retired && retired.value.retired,
    };
    // Borgflow uses the new key either way; an old key left on the server only because the
    // operator skipped its removal deserves a second look.
    const isOldKeyHandled = oldKeyRevoked || oldKeySharedWith.length > 0;
    return { status: isOldKeyHandled ? 'succeeded' : 'warning', stats };
  });
}
