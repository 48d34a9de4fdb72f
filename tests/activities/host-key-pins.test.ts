import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BorgError, initRepository, repositoryInfo } from '../../activities/borg';
import { loadBorgRepository } from '../../activities/repository-access';
import { secretContexts } from '../../core/secrets/contexts';
import { generateSshKeyPair, startSshd, type TestSshd } from '../helpers/sshd';
import { useTempDirs } from '../helpers/temp-dir';
import {
  createWorkflowHarness,
  TEST_PASSPHRASE,
  type WorkflowHarness,
} from '../helpers/temporal-worker';

const makeDir = useTempDirs('borgflow-host-pins-');

// A worker host that never saw the pinning must still trust the approved key (and only it): the
// pin lives in PostgreSQL, not in the known_hosts file of whichever worker made it.
describe('host key pins shared by every worker', () => {
  let harness: WorkflowHarness;
  let sshd: TestSshd;
  let repositoryId: string;

  beforeAll(async () => {
    harness = await createWorkflowHarness();
    const sshdDir = await makeDir('sshd');
    const serverDir = await makeDir('server');
    sshd = await startSshd(sshdDir);
    const serverPath = path.join(serverDir, 'repo');
    await initRepository(
      {
        target: { location: serverPath, passphrase: TEST_PASSPHRASE },
        environment: { baseDir: path.join(serverDir, '.borg-setup'), hostId: 'server-setup' },
      },
      { encryption: 'repokey-blake2' },
    );
    const client = await generateSshKeyPair(sshdDir, 'client');
    await sshd.setAuthorizedKeys([
      `command="borg serve --restrict-to-path ${serverPath}",restrict ${client.publicKey}`,
    ]);
    const keyId = ulid();
    repositoryId = ulid();
    await harness.database.db
      .insertInto('ssh_keys')
      .values({
        id: keyId,
        name: 'client',
        type: 'ed25519',
        public_key: client.publicKey,
        fingerprint: 'SHA256:client',
        private_key_secret: harness.secrets.encrypt(
          client.privateKey,
          secretContexts.sshPrivateKey(keyId),
        ),
      })
      .execute();
    await harness.database.db
      .insertInto('repositories')
      .values({
        id: repositoryId,
        name: 'pinned',
        location: `ssh://root@127.0.0.1:${sshd.port}${serverPath}`,
        encryption: 'repokey-blake2',
        passphrase_secret: harness.secrets.encrypt(
          TEST_PASSPHRASE,
          secretContexts.repositoryPassphrase(repositoryId),
        ),
        ssh_key_id: keyId,
      })
      .execute();
  }, 120_000);

  afterAll(async () => {
    await sshd?.stop();
    await harness?.close();
  });

  async function openRepository() {
    const repository = await loadBorgRepository(
      {
        db: harness.database.db,
        secrets: harness.secrets,
        config: harness.config,
        hostId: 'worker-b@1',
      } as Parameters<typeof loadBorgRepository>[0],
      repositoryId,
    );
    return repositoryInfo(repository);
  }

  async function failureOf(promise: Promise<unknown>): Promise<string> {
    const error = await promise.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(BorgError);
    return (error as BorgError).type;
  }

  it('connects from a worker whose own known_hosts never saw the pin', async () => {
    const [, keyBlob] = sshd.hostPublicKey.split(' ');
    const fingerprint = `SHA256:${createHash('sha256')
      .update(Buffer.from(keyBlob, 'base64'))
      .digest('base64')
      .replace(/=+$/, '')}`;
    // Before any pin: nothing is trusted.
    expect(await failureOf(openRepository())).toBe('HOST_KEY_UNKNOWN');

    await new MockActivityEnvironment().run(() =>
      harness.activities.trustRepositoryHostKey({ repositoryId, fingerprint }),
    );
    // Another worker host: the shared known_hosts of the one that pinned is not there.
    await rm(path.join(harness.dataDir, 'ssh'), { recursive: true, force: true });

    const info = await openRepository();
    expect(info.encryptionMode).toBe('repokey-blake2');
    const row = await harness.database.db
      .selectFrom('repositories')
      .select(['host_key_line', 'host_key_fingerprint'])
      .where('id', '=', repositoryId)
      .executeTakeFirstOrThrow();
    expect(row.host_key_fingerprint).toBe(fingerprint);
    expect(row.host_key_line).toBe(`[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}`);
  });

  it('refuses the server when its key differs from the stored pin', async () => {
    const other = await generateSshKeyPair(await makeDir('other'), 'impostor');
    const [keyType, keyBlob] = other.publicKey.split(' ');
    await harness.database.db
      .updateTable('repositories')
      .set({ host_key_line: `[127.0.0.1]:${sshd.port} ${keyType} ${keyBlob}` })
      .where('id', '=', repositoryId)
      .execute();

    expect(await failureOf(openRepository())).toBe('HOST_KEY_CHANGED');
  });
});
