import { access } from 'node:fs/promises';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { secretContexts } from '../core/secrets/contexts';
import {
  BorgError,
  exportKey,
  initRepository,
  parseSshLocation,
  repositoryInfo,
  scanHostKeys,
  trustHostKeys,
  verifyHostKeys,
  type EncryptionMode,
  type HostKeyStatus,
} from './borg';
import type { ActivityDependencies } from './dependencies';
import { knownHostsFile, loadBorgRepository } from './repository-access';
import { asTemporalFailure } from './run-errors';

/** How a new repository record meets its borg repository. */
export type PrepareMode = 'create' | 'import';

export interface PrepareRepositoryRequest {
  repositoryId: string;
  mode: PrepareMode;
  /** For ssh locations: the host key fingerprint a person approved, pinned before connecting. */
  hostKeyFingerprint?: string;
}

/** What preparing found; never the key or the passphrase. */
export interface PreparedRepository {
  encryptionMode: string;
  isKeyEscrowed: boolean;
}

export interface HostKeyDescription {
  keyType: string;
  fingerprint: string;
}

export interface ConnectionProbe {
  reachable: boolean;
  hostKeyStatus: HostKeyStatus | 'local';
  hostKeys: HostKeyDescription[];
  message: string;
}

/**
 * First contact with a repository: `borg init` or `borg info`, then the key escrow. The
 * passphrase is read from PostgreSQL here and the exported key written back there, so neither
 * passes through Temporal.
 */
export function createRepositorySetupActivities(deps: ActivityDependencies) {
  const { db, config, secrets } = deps;

  return {
    async prepareRepositoryStep(request: PrepareRepositoryRequest): Promise<PreparedRepository> {
      const row = await db
        .selectFrom('repositories')
        .select(['id', 'location', 'encryption'])
        .where('id', '=', request.repositoryId)
        .executeTakeFirst();
      if (!row) {
        throw ApplicationFailure.nonRetryable(
          `repository ${request.repositoryId} no longer exists`,
          'REPOSITORY_DELETED',
        );
      }
      if (request.hostKeyFingerprint) {
        await pinHostKey(request.repositoryId, row.location, request.hostKeyFingerprint);
      }
      const repository = await loadBorgRepository(deps, request.repositoryId);
      const options = { signal: Context.current().cancellationSignal };
      const encryption = row.encryption as EncryptionMode;

      return asTemporalFailure('prepare repository', async () => {
        if (request.mode === 'create') {
          await initRepository(repository, { encryption, makeParentDirs: true }, options);
        }
        const info = await repositoryInfo(repository, options);
        // Keyfile modes keep the only other copy of the key on this worker's disk: the escrow is
        // what survives the loss of that host.
        const key =
          encryption === 'none' ? undefined : await exportKey(repository, 'plain', options);

        await db
          .updateTable('repositories')
          .set({
            key_escrow_secret: key
              ? secrets.encrypt(key, secretContexts.repositoryKeyEscrow(row.id))
              : null,
            stats: {
              originalSize: info.totalOriginalBytes,
              compressedSize: info.totalCompressedBytes,
              deduplicatedSize: info.uniqueCompressedBytes,
              archiveCount: 0,
            },
            updated_at: new Date(),
          })
          .where('id', '=', row.id)
          .execute();

        return { encryptionMode: info.encryptionMode, isKeyEscrowed: key !== undefined };
      });
    },

    /** Whether the worker reaches a location, and the ssh host keys it is offered there. */
    async probeRepositoryLocation({ location }: { location: string }): Promise<ConnectionProbe> {
      if (!parseSshLocation(location)) {
        const reachable = await access(location).then(
          () => true,
          () => false,
        );
        const message = reachable
          ? 'The path exists on the worker.'
          : 'The path does not exist on the worker yet; creating a repository makes it.';
        return { reachable, hostKeyStatus: 'local', hostKeys: [], message };
      }
      try {
        const { status, keys } = await verifyHostKeys(location, knownHostsFile(config.dataDir));
        const hostKeys = keys.map((key) => ({
          keyType: key.keyType,
          fingerprint: key.fingerprintSha256,
        }));
        return {
          reachable: true,
          hostKeyStatus: status,
          hostKeys,
          message: hostKeyMessage(status),
        };
      } catch (error) {
        if (!(error instanceof BorgError)) throw error;
        return { reachable: false, hostKeyStatus: 'unknown', hostKeys: [], message: error.message };
      }
    },

    /** Pins an approved host key of an existing repository on this worker. */
    async trustRepositoryHostKey(request: {
      repositoryId: string;
      fingerprint: string;
    }): Promise<HostKeyDescription> {
      const row = await db
        .selectFrom('repositories')
        .select(['location'])
        .where('id', '=', request.repositoryId)
        .executeTakeFirstOrThrow();

      return pinHostKey(request.repositoryId, row.location, request.fingerprint);
    },
  };

  async function pinHostKey(
    repositoryId: string,
    location: string,
    fingerprint: string,
  ): Promise<HostKeyDescription> {
    const offered = await asTemporalFailure('scan host keys', () => scanHostKeys(location));
    const approved = offered.find((key) => key.fingerprintSha256 === fingerprint);
    if (!approved) {
      throw ApplicationFailure.nonRetryable(
        `The host does not offer a key with fingerprint ${fingerprint}: scan it again and compare.`,
        'HOST_KEY_MISMATCH',
      );
    }
    await trustHostKeys(knownHostsFile(config.dataDir), [approved]);

    await db
      .updateTable('repositories')
      .set({
        host_key_fingerprint: fingerprint,
        host_key_line: approved.knownHostsLine,
        updated_at: new Date(),
      })
      .where('id', '=', repositoryId)
      .execute();
    return { keyType: approved.keyType, fingerprint };
  }
}

function hostKeyMessage(status: HostKeyStatus): string {
  if (status === 'trusted') return 'The host answers with the key already trusted.';
  if (status === 'changed') {
    return 'The host answers with a key different from the one trusted: confirm it with its administrator.';
  }
  return 'The host answers; compare its key fingerprint with the server before trusting it.';
}
