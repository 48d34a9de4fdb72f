import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { SshKeyRow } from '../core/db/schema';
import { secretContexts } from '../core/secrets/contexts';
import {
  generateSshKeyPair,
  publicKeyBlob,
  restrictedAuthorizedKeysLine,
  type ServeRestrictions,
} from '../core/ssh/key-pairs';
import {
  BorgError,
  parseSshLocation,
  repositoryInfo,
  runRemoteScript,
  type BorgRepository,
  type RemoteScriptResult,
} from './borg';
import type { ActivityDependencies } from './dependencies';
import { loadBorgRepository, loadPrivateKey } from './repository-access';
import { asTemporalFailure } from './run-errors';

/** Printed by the scripts below when they ran to the end, as opposed to a forced `borg serve`. */
const DONE_MARKER = 'borgflow-authorized-keys-updated';
const NEW_KEY_MISSING_MARKER = 'borgflow-new-key-missing';

// Both scripts read their data from stdin, one item per line, and contain no single quote (they
// travel as `sh -c '<script>'`). They keep authorized_keys private and never leave it half
// written: the removal writes a copy and renames it over the original.
const APPEND_LINE_SCRIPT = `set -eu
IFS= read -r file
IFS= read -r line
IFS= read -r blob
umask 077
case "$file" in */*) mkdir -p "\${file%/*}" ;; esac
touch "$file"
if ! grep -qF -- "$blob" "$file"; then
  if [ -s "$file" ] && [ -n "$(tail -c 1 "$file")" ]; then echo >> "$file"; fi
  printf "%s\\n" "$line" >> "$file"
fi
echo ${DONE_MARKER}`;

// Refuses to write a file that would no longer hold the new key, so a mistake here can never lock
// Borgflow out of the server.
const REMOVE_LINE_SCRIPT = `set -eu
IFS= read -r file
IFS= read -r old_blob
IFS= read -r new_blob
umask 077
if [ ! -f "$file" ]; then echo ${DONE_MARKER}; exit 0; fi
kept="$file.borgflow-$$"
grep -vF -- "$old_blob" "$file" > "$kept" || true
if ! grep -qF -- "$new_blob" "$kept"; then rm -f "$kept"; echo ${NEW_KEY_MISSING_MARKER}; exit 3; fi
mv -f "$kept" "$file"
echo ${DONE_MARKER}`;

export interface SshKeyRotationRequest {
  repositoryId: string;
  /** Chosen before the run starts, so a step that runs again finds the key it generated. */
  newKeyId: string;
  /** authorized_keys on the server; relative paths start at the login's home directory. */
  authorizedKeysFile: string;
  /** Limits of the new key's forced `borg serve`. */
  serve?: ServeRestrictions;
}

export interface PreparedSshKeyRotation {
  oldKeyId: string;
  newKeyId: string;
  newFingerprint: string;
  /** The line the server needs, shown to a person when Borgflow cannot add it itself. */
  authorizedKeysLine: string;
}

/**
 * Replacing the SSH key of a remote repository without ever losing access to it: the new key is
 * generated and authorised on the server while the old one still works, proven with borg, and
 * only then does the repository switch to it and the old key lose its place on the server.
 */
export function createSshKeyRotationActivities(deps: ActivityDependencies) {
  const { db, secrets } = deps;

  async function sshKey(keyId: string): Promise<SshKeyRow> {
    const key = await db
      .selectFrom('ssh_keys')
      .selectAll()
      .where('id', '=', keyId)
      .executeTakeFirst();
    if (!key) {
      throw ApplicationFailure.nonRetryable(`SSH key ${keyId} no longer exists`, 'SSH_KEY_DELETED');
    }
    return key;
  }

  async function repositoryWithKey(repositoryId: string, keyId: string) {
    const repository = await loadBorgRepository(deps, repositoryId);
    const sshPrivateKey = await loadPrivateKey(db, secrets, keyId);
    return { ...repository, target: { ...repository.target, sshPrivateKey } };
  }

  /** Whether borg logs in with this key; a refused key is an answer, not a failure. */
  async function keyOpens(repository: BorgRepository): Promise<boolean> {
    try {
      await repositoryInfo(repository, { signal: Context.current().cancellationSignal });
      return true;
    } catch (error) {
      if (error instanceof BorgError && error.type === 'PERMISSION_DENIED') return false;
      throw error;
    }
  }

  async function remoteScript(repository: BorgRepository, script: string, lines: string[]) {
    return runRemoteScript(repository.target, script, `${lines.join('\n')}\n`, {
      signal: Context.current().cancellationSignal,
    });
  }

  async function authorizedKeysLineFor(
    repositoryId: string,
    publicKey: string,
    serve: ServeRestrictions = {},
  ) {
    const row = await db
      .selectFrom('repositories')
      .select(['location', 'remote_path'])
      .where('id', '=', repositoryId)
      .executeTakeFirstOrThrow();
    return restrictedAuthorizedKeysLine({
      publicKey,
      restrictToPath: serverPathOf(row.location),
      remoteBorg: row.remote_path ?? undefined,
      ...serve,
    });
  }

  return {
    /** Generates the new key pair (once per rotation) next to the one the repository uses now. */
    async prepareSshKeyRotation(
      request: Pick<SshKeyRotationRequest, 'repositoryId' | 'newKeyId' | 'serve'> & {
        fromKeyId: string;
      },
    ): Promise<PreparedSshKeyRotation> {
      const repository = await db
        .selectFrom('repositories')
        .select(['id', 'location', 'ssh_key_id'])
        .where('id', '=', request.repositoryId)
        .executeTakeFirst();
      if (!repository) {
        throw ApplicationFailure.nonRetryable(
          `repository ${request.repositoryId} no longer exists`,
          'REPOSITORY_DELETED',
        );
      }
      if (!parseSshLocation(repository.location) || !repository.ssh_key_id) {
        throw ApplicationFailure.nonRetryable(
          'only ssh:// repositories that use a Borgflow SSH key can rotate it',
          'NOT_AN_SSH_REPOSITORY',
        );
      }
      // A rerun may find the repository already switched; any other key means someone changed it.
      if (![request.fromKeyId, request.newKeyId].includes(repository.ssh_key_id)) {
        throw ApplicationFailure.nonRetryable(
          'the repository changed SSH key since this rotation was asked for; start a new one',
          'SSH_KEY_CHANGED',
        );
      }
      const oldKey = await sshKey(request.fromKeyId);
      let newKey = await db
        .selectFrom('ssh_keys')
        .selectAll()
        .where('id', '=', request.newKeyId)
        .executeTakeFirst();
      if (!newKey) {
        const pair = await generateSshKeyPair(oldKey.type, request.newKeyId);
        newKey = await db
          .insertInto('ssh_keys')
          .values({
            id: request.newKeyId,
            name: `${oldKey.name} (rotated ${new Date().toISOString().slice(0, 10)})`,
            type: pair.type,
            public_key: pair.publicKey,
            fingerprint: pair.fingerprint,
            private_key_secret: secrets.encrypt(
              pair.privateKey,
              secretContexts.sshPrivateKey(request.newKeyId),
            ),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
      }

      return {
        oldKeyId: oldKey.id,
        newKeyId: newKey.id,
        newFingerprint: newKey.fingerprint,
        authorizedKeysLine: await authorizedKeysLineFor(
          repository.id,
          newKey.public_key,
          request.serve,
        ),
      };
    },

    /**
     * Adds the new key's restricted line to authorized_keys, logging in with the old key. A key
     * that may only run `borg serve` cannot do that; the step then fails with the line for a
     * person to add, and resuming the run checks that it works.
     */
    async authorizeNewSshKey(
      request: SshKeyRotationRequest & { oldKeyId: string },
    ): Promise<{ addedBy: 'borgflow' | 'earlier' }> {
      const { repositoryId, oldKeyId, newKeyId, authorizedKeysFile, serve } = request;
      return asTemporalFailure('authorise new key', async () => {
        if (await keyOpens(await repositoryWithKey(repositoryId, newKeyId))) {
          return { addedBy: 'earlier' as const };
        }
        const newKey = await sshKey(newKeyId);
        const line = await authorizedKeysLineFor(repositoryId, newKey.public_key, serve);
        const result = await remoteScript(
          await repositoryWithKey(repositoryId, oldKeyId),
          APPEND_LINE_SCRIPT,
          [authorizedKeysFile, line, publicKeyBlob(newKey.public_key)],
        );
        if (!ranToTheEnd(result)) {
          throw ApplicationFailure.nonRetryable(
            `The current key may only run borg on the server, so Borgflow cannot add the new key ` +
              `itself. Add this line to ${authorizedKeysFile} on the server, then resume: ${line}`,
            'MANUAL_KEY_INSTALL_NEEDED',
          );
        }
        return { addedBy: 'borgflow' as const };
      });
    },

    /** Proves borg reaches the repository with the new key before anything depends on it. */
    async verifyNewSshKey({
      repositoryId,
      newKeyId,
    }: Pick<SshKeyRotationRequest, 'repositoryId' | 'newKeyId'>): Promise<void> {
      await asTemporalFailure('verify new key', async () => {
        if (!(await keyOpens(await repositoryWithKey(repositoryId, newKeyId)))) {
          throw ApplicationFailure.nonRetryable(
            'the server refuses the new key; check its authorized_keys line, then resume',
            'PERMISSION_DENIED',
          );
        }
      });
    },

    async switchRepositorySshKey({
      repositoryId,
      newKeyId,
    }: Pick<SshKeyRotationRequest, 'repositoryId' | 'newKeyId'>): Promise<void> {
      await db
        .updateTable('repositories')
        .set({ ssh_key_id: newKeyId, updated_at: new Date() })
        .where('id', '=', repositoryId)
        .execute();
    },

    /**
     * Takes the old key's line out of authorized_keys, logging in with the old key itself, unless
     * another repository on the same server login still uses that key. Ends once the old key no
     * longer logs in; when it is restricted to `borg serve`, a person has to remove the line.
     */
    async revokeOldSshKey(
      request: SshKeyRotationRequest & { oldKeyId: string },
    ): Promise<{ revoked: boolean; sharedWith: string[] }> {
      const { repositoryId, oldKeyId, newKeyId, authorizedKeysFile } = request;
      const sharedWith = await repositoriesOnSameLogin(repositoryId, oldKeyId);
      if (sharedWith.length > 0) return { revoked: false, sharedWith };

      return asTemporalFailure('revoke old key', async () => {
        const withOldKey = await repositoryWithKey(repositoryId, oldKeyId);
        if (!(await keyOpens(withOldKey))) return { revoked: true, sharedWith };
        const [oldKey, newKey] = await Promise.all([sshKey(oldKeyId), sshKey(newKeyId)]);
        const result = await remoteScript(withOldKey, REMOVE_LINE_SCRIPT, [
          authorizedKeysFile,
          publicKeyBlob(oldKey.public_key),
          publicKeyBlob(newKey.public_key),
        ]);
        if (result.stdout.includes(NEW_KEY_MISSING_MARKER)) {
          throw ApplicationFailure.nonRetryable(
            `${authorizedKeysFile} on the server does not hold the new key, so the old key's ` +
              'line was left in place; check the file, then resume or skip',
            'NEW_KEY_NOT_IN_AUTHORIZED_KEYS',
          );
        }
        const hint = ranToTheEnd(result)
          ? `its line is not in ${authorizedKeysFile}, or the key is also listed elsewhere`
          : 'it may only run borg on the server, so Borgflow cannot edit authorized_keys with it';
        if (await keyOpens(withOldKey)) {
          throw ApplicationFailure.nonRetryable(
            `The old key (${oldKey.fingerprint}) still logs in: ${hint}. Remove its line on the ` +
              'server, then resume; skip keeps it authorised there.',
            'MANUAL_KEY_REMOVAL_NEEDED',
          );
        }
        return { revoked: true, sharedWith };
      });
    },

    /** Marks the old key retired once no repository uses it any more. */
    async retireSshKey({ oldKeyId }: { oldKeyId: string }): Promise<{ retired: boolean }> {
      const user = await db
        .selectFrom('repositories')
        .select('id')
        .where('ssh_key_id', '=', oldKeyId)
        .executeTakeFirst();
      if (user) return { retired: false };
      await db
        .updateTable('ssh_keys')
        .set({ status: 'retired', retired_at: new Date() })
        .where('id', '=', oldKeyId)
        .where('status', '=', 'active')
        .execute();
      return { retired: true };
    },
  };

  /** Other repositories that log in to the same server account with this key. */
  async function repositoriesOnSameLogin(repositoryId: string, keyId: string): Promise<string[]> {
    const rows = await db
      .selectFrom('repositories')
      .select(['id', 'name', 'location'])
      .where('ssh_key_id', '=', keyId)
      .where('id', '!=', repositoryId)
      .execute();
    const own = await db
      .selectFrom('repositories')
      .select('location')
      .where('id', '=', repositoryId)
      .executeTakeFirstOrThrow();
    const login = loginOf(own.location);
    return rows.filter((row) => loginOf(row.location) === login).map((row) => row.name);
  }
}

function ranToTheEnd(result: RemoteScriptResult): boolean {
  return result.exitCode === 0 && result.stdout.includes(DONE_MARKER);
}

function loginOf(location: string): string | undefined {
  const ssh = parseSshLocation(location);
  return ssh && `${ssh.user ?? ''}@${ssh.host}:${ssh.port}`;
}

/**
 * The repository's path as `borg serve` on the server sees it: `ssh://host/~/repo` and
 * `ssh://host/./repo` name paths relative to the login's home directory.
 */
export function serverPathOf(location: string): string {
  const ssh = parseSshLocation(location);
  if (!ssh) throw new TypeError('not an ssh:// location');
  return ssh.path.replace(/^\/(~|\.)\//, '');
}
