import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BorgError, initRepository, repositoryInfo } from '../../activities/borg';
import { secretContexts } from '../../core/secrets/contexts';
import type { RotateSshKeyRunInput } from '../../core/runs';
import { operatorDecisionUpdate } from '../../workflows/run-context';
import { recordHistory } from '../helpers/histories';
import { waitForRun, waitForRunStatus } from '../helpers/runs';
import { generateSshKeyPair, startSshd, type SshKeyPair, type TestSshd } from '../helpers/sshd';
import { useTempDirs } from '../helpers/temp-dir';
import {
  createWorkflowHarness,
  runId,
  TEST_PASSPHRASE,
  workflowsLeaking,
  type WorkflowHarness,
} from '../helpers/temporal-worker';

const makeDir = useTempDirs('borgflow-ssh-rotation-');

describe('rotateSshKey workflow', () => {
  let harness: WorkflowHarness;
  let sshd: TestSshd;
  let sshdDir: string;
  let serverDir: string;

  beforeAll(async () => {
    harness = await createWorkflowHarness();
    sshdDir = await makeDir('sshd');
    serverDir = await makeDir('server');
    sshd = await startSshd(sshdDir, { allowShellLogins: true });
    // Pin the test server's host key where the worker looks for it.
    const knownHosts = path.join(harness.dataDir, 'ssh', 'known_hosts');
    await mkdir(path.dirname(knownHosts), { recursive: true, mode: 0o700 });
    await writeFile(knownHosts, `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`);
    await harness.startWorker();
  }, 120_000);

  afterAll(async () => {
    await sshd?.stop();
    await harness?.close();
  });

  interface SshRepository {
    id: string;
    location: string;
    serverPath: string;
    oldKeyId: string;
    oldKey: SshKeyPair;
  }

  /** A borg repository reached over ssh with a Borgflow key whose line sshd already accepts. */
  async function sshRepository(options: { restrictOldKey: boolean }): Promise<SshRepository> {
    const id = ulid();
    const serverPath = path.join(serverDir, id);
    await initRepository(
      {
        target: { location: serverPath, passphrase: TEST_PASSPHRASE },
        // Its own borg base dir: the worker's would remember the local path and see a relocation.
        environment: { baseDir: path.join(serverDir, '.borg-setup'), hostId: 'server-setup' },
      },
      { encryption: 'repokey-blake2' },
    );
    const oldKeyId = ulid();
    const oldKey = await generateSshKeyPair(sshdDir, `old-${oldKeyId}`);
    await harness.database.db
      .insertInto('ssh_keys')
      .values({
        id: oldKeyId,
        name: `key ${oldKeyId}`,
        type: 'ed25519',
        public_key: oldKey.publicKey,
        fingerprint: `SHA256:test-${oldKeyId}`,
        private_key_secret: harness.secrets.encrypt(
          oldKey.privateKey,
          secretContexts.sshPrivateKey(oldKeyId),
        ),
      })
      .execute();
    const location = `ssh://root@127.0.0.1:${sshd.port}${serverPath}`;
    await harness.database.db
      .insertInto('repositories')
      .values({
        id,
        name: `remote-${id}`,
        location,
        encryption: 'repokey-blake2',
        passphrase_secret: harness.secrets.encrypt(
          TEST_PASSPHRASE,
          secretContexts.repositoryPassphrase(id),
        ),
        pending_passphrase_secret: null,
        key_escrow_secret: null,
        ssh_key_id: oldKeyId,
        remote_path: null,
        upload_rate_limit_kbps: null,
        host_key_fingerprint: null,
      })
      .execute();
    const oldLine = options.restrictOldKey
      ? `command="borg serve --restrict-to-path ${serverPath}",restrict ${oldKey.publicKey}`
      : oldKey.publicKey;
    await sshd.setAuthorizedKeys([oldLine]);

    return { id, location, serverPath, oldKeyId, oldKey };
  }

  function rotationInput(
    repository: SshRepository,
    overrides: Partial<RotateSshKeyRunInput> = {},
  ): RotateSshKeyRunInput {
    return {
      repositoryId: repository.id,
      fromKeyId: repository.oldKeyId,
      newKeyId: ulid(),
      authorizedKeysFile: sshd.authorizedKeysFile,
      trigger: 'manual',
      operatorWaitSeconds: 0,
      ...overrides,
    };
  }

  function startRotation(input: RotateSshKeyRunInput) {
    return harness.client.workflow.start('rotateSshKey', {
      taskQueue: harness.taskQueue,
      workflowId: runId('rotate-ssh-key', input.repositoryId),
      args: [input],
    });
  }

  async function storedKey(keyId: string) {
    const row = await harness.database.db
      .selectFrom('ssh_keys')
      .selectAll()
      .where('id', '=', keyId)
      .executeTakeFirstOrThrow();
    return {
      row,
      privateKey: harness.secrets.decrypt(
        row.private_key_secret,
        secretContexts.sshPrivateKey(keyId),
      ),
    };
  }

  async function repositoryKeyId(repositoryId: string): Promise<string | null> {
    const row = await harness.database.db
      .selectFrom('repositories')
      .select('ssh_key_id')
      .where('id', '=', repositoryId)
      .executeTakeFirstOrThrow();
    return row.ssh_key_id;
  }

  /** Whether borg reaches the repository with this private key (false: the server refused it). */
  async function keyOpens(location: string, sshPrivateKey: string): Promise<boolean> {
    try {
      await repositoryInfo({
        target: {
          location,
          passphrase: TEST_PASSPHRASE,
          sshPrivateKey,
          knownHostsFile: path.join(harness.dataDir, 'ssh', 'known_hosts'),
        },
        environment: { baseDir: path.join(harness.dataDir, 'borg'), hostId: 'test-reader@1' },
      });
      return true;
    } catch (error) {
      if (error instanceof BorgError && error.type === 'PERMISSION_DENIED') return false;
      throw error;
    }
  }

  async function authorizedKeys(): Promise<string> {
    return readFile(sshd.authorizedKeysFile, 'utf8');
  }

  it('authorises a restricted new key with the old one, switches to it and revokes the old key', async () => {
    const repository = await sshRepository({ restrictOldKey: false });
    const input = rotationInput(repository, { appendOnly: true, storageQuota: '10G' });

    const handle = await startRotation(input);
    const stats = await handle.result();

    expect(stats).toMatchObject({
      oldKeyId: repository.oldKeyId,
      newKeyId: input.newKeyId,
      oldKeyRevoked: true,
      oldKeyRetired: true,
    });
    const run = await waitForRunStatus(harness.database.db, handle.workflowId, 'succeeded');
    expect(run.kind).toBe('rotate-ssh-key');
    await recordHistory(harness.client, handle.workflowId);
    expect((run.steps ?? []).map((step) => `${step.name}:${step.status}`)).toEqual([
      'generate key:succeeded',
      'authorise new key:succeeded',
      'verify new key:succeeded',
      'switch repository:succeeded',
      'revoke old key:succeeded',
      'retire old key:succeeded',
    ]);
    expect(await repositoryKeyId(repository.id)).toBe(input.newKeyId);
    const newKey = await storedKey(input.newKeyId);
    expect(newKey.row.type).toBe('ed25519');
    expect(newKey.row.status).toBe('active');
    expect((await authorizedKeys()).trim().split('\n')).toEqual([
      `command="borg serve --append-only --storage-quota 10G --restrict-to-path ${repository.serverPath}",restrict ${newKey.row.public_key}`,
    ]);
    expect(await keyOpens(repository.location, newKey.privateKey)).toBe(true);
    expect(await keyOpens(repository.location, repository.oldKey.privateKey)).toBe(false);
    const oldKey = await storedKey(repository.oldKeyId);
    expect(oldKey.row.status).toBe('retired');
    expect(oldKey.row.retired_at).not.toBeNull();
  });

  it('waits for a person when the old key may only run borg, and finishes once they acted', async () => {
    const repository = await sshRepository({ restrictOldKey: true });
    const input = rotationInput(repository, { operatorWaitSeconds: 600 });
    const handle = await startRotation(input);
    const db = harness.database.db;

    // The old key cannot edit authorized_keys: the run asks for the new line to be added.
    const askedToAdd = await waitForRunStatus(db, handle.workflowId, 'waiting', 120_000);
    expect(askedToAdd.waiting_reason).toContain('step "authorise new key" failed');
    expect(askedToAdd.waiting_reason).toContain('Add this line');
    const newKey = await storedKey(input.newKeyId);
    const line = `command="borg serve --restrict-to-path ${repository.serverPath}",restrict ${newKey.row.public_key}`;
    expect(askedToAdd.waiting_reason).toContain(line);
    expect(await repositoryKeyId(repository.id)).toBe(repository.oldKeyId);
    await writeFile(sshd.authorizedKeysFile, `${await authorizedKeys()}${line}\n`);
    await handle.executeUpdate(operatorDecisionUpdate, { args: [{ decision: 'resume' }] });

    // Switched; now the old line has to go, again by hand.
    const askedToRemove = await waitForRun(
      db,
      handle.workflowId,
      (run) => run.status === 'waiting' && !!run.waiting_reason?.includes('"revoke old key"'),
      120_000,
    );
    expect(askedToRemove.waiting_reason).toContain('still logs in');
    expect(await repositoryKeyId(repository.id)).toBe(input.newKeyId);
    await sshd.setAuthorizedKeys([line]);
    await handle.executeUpdate(operatorDecisionUpdate, { args: [{ decision: 'resume' }] });

    const stats = await handle.result();
    expect(stats).toMatchObject({ oldKeyRevoked: true, oldKeyRetired: true });
    expect((await waitForRunStatus(db, handle.workflowId, 'succeeded')).status).toBe('succeeded');
    expect(await keyOpens(repository.location, newKey.privateKey)).toBe(true);
  });

  it('fails before switching when the new key does not work, leaving the old key in use', async () => {
    const repository = await sshRepository({ restrictOldKey: false });
    // A file sshd does not read: the line lands there and the server keeps refusing the new key.
    const elsewhere = path.join(sshdDir, 'not-read-by-sshd');
    const handle = await startRotation(
      rotationInput(repository, { authorizedKeysFile: elsewhere }),
    );

    await expect(handle.result()).rejects.toThrow();

    const run = await waitForRunStatus(harness.database.db, handle.workflowId, 'failed');
    expect(run.error?.step ?? run.steps?.at(-1)?.name).toBe('verify new key');
    expect(await repositoryKeyId(repository.id)).toBe(repository.oldKeyId);
    expect(await keyOpens(repository.location, repository.oldKey.privateKey)).toBe(true);
    expect((await storedKey(repository.oldKeyId)).row.status).toBe('active');
  });

  it('keeps the old key on the server while another repository of the same login uses it', async () => {
    const repository = await sshRepository({ restrictOldKey: false });
    const siblingId = ulid();
    await harness.database.db
      .insertInto('repositories')
      .values({
        id: siblingId,
        name: `sibling-${siblingId}`,
        location: `ssh://root@127.0.0.1:${sshd.port}${serverDir}/sibling-${siblingId}`,
        encryption: 'repokey-blake2',
        passphrase_secret: null,
        pending_passphrase_secret: null,
        key_escrow_secret: null,
        ssh_key_id: repository.oldKeyId,
        remote_path: null,
        upload_rate_limit_kbps: null,
        host_key_fingerprint: null,
      })
      .execute();

    const stats = await (await startRotation(rotationInput(repository))).result();

    expect(stats).toMatchObject({
      oldKeyRevoked: false,
      oldKeySharedWith: [`sibling-${siblingId}`],
      oldKeyRetired: false,
    });
    expect(await keyOpens(repository.location, repository.oldKey.privateKey)).toBe(true);
    expect((await storedKey(repository.oldKeyId)).row.status).toBe('active');
  });

  // A crash after each step: only the steps before it have run. The key Borgflow holds for the
  // repository must still open it, and starting the same rotation again must finish it.
  const STEPS = [
    'generate key',
    'authorise new key',
    'verify new key',
    'switch repository',
    'revoke old key',
  ];
  it.each(STEPS)('recovers from a crash right after "%s"', async (lastStep) => {
    const repository = await sshRepository({ restrictOldKey: false });
    const input = rotationInput(repository);
    const request = {
      repositoryId: repository.id,
      newKeyId: input.newKeyId,
      authorizedKeysFile: sshd.authorizedKeysFile,
      oldKeyId: repository.oldKeyId,
    };
    const { activities } = harness;
    const steps: Record<string, () => Promise<unknown>> = {
      'generate key': () =>
        activities.prepareSshKeyRotation({ ...request, fromKeyId: repository.oldKeyId }),
      'authorise new key': () => activities.authorizeNewSshKey(request),
      'verify new key': () => activities.verifyNewSshKey(request),
      'switch repository': () => activities.switchRepositorySshKey(request),
      'revoke old key': () => activities.revokeOldSshKey(request),
    };
    const environment = new MockActivityEnvironment();
    for (const step of STEPS.slice(0, STEPS.indexOf(lastStep) + 1)) {
      await environment.run(steps[step]);
    }

    const heldKey = await storedKey((await repositoryKeyId(repository.id))!);
    expect(await keyOpens(repository.location, heldKey.privateKey)).toBe(true);

    const stats = await (await startRotation(input)).result();
    expect(stats).toMatchObject({ oldKeyRevoked: true, oldKeyRetired: true });
    expect(await repositoryKeyId(repository.id)).toBe(input.newKeyId);
    const newKey = await storedKey(input.newKeyId);
    expect(await keyOpens(repository.location, newKey.privateKey)).toBe(true);
    expect(await keyOpens(repository.location, repository.oldKey.privateKey)).toBe(false);
  });

  // A dropped connection is transient: the step is tried again after its backoff and the run
  // goes on, without waiting for a person (operatorWaitSeconds 0 would fail it at once).
  it('retries a check whose server was unreachable and succeeds once it is back', async () => {
    const repository = await sshRepository({ restrictOldKey: true });
    await sshd.stop();
    const id = runId('check', repository.id);
    let isServerDown = true;
    try {
      const handle = await harness.client.workflow.start('checkRepository', {
        taskQueue: harness.taskQueue,
        workflowId: id,
        args: [{ repositoryId: repository.id, trigger: 'manual', operatorWaitSeconds: 0 }],
      });
      const failedAttempt = await vi.waitFor(
        async () => {
          const { raw } = await handle.describe();
          const pending = raw.pendingActivities?.find(
            (activity) => activity.activityType?.name === 'checkRepositoryStep',
          );
          expect(pending?.lastFailure?.applicationFailureInfo?.type).toBe('CONNECTION_FAILED');
          return pending!;
        },
        { timeout: 30_000, interval: 250 },
      );
      expect(failedAttempt.attempt).toBeGreaterThanOrEqual(2);
      await sshd.start();
      isServerDown = false;

      await handle.result();
      const run = await waitForRunStatus(harness.database.db, id, 'succeeded');
      expect(run.steps?.map((step) => `${step.name}:${step.status}`)).toEqual(['check:succeeded']);
    } finally {
      if (isServerDown) await sshd.start();
    }
  }, 90_000);

  it('never puts a private key or a passphrase into Temporal history', async () => {
    const leaks = await Promise.all(
      ['OPENSSH PRIVATE KEY', TEST_PASSPHRASE].map((secret) =>
        workflowsLeaking(harness.client, harness.taskQueue, secret),
      ),
    );

    expect(
      leaks[0].checked.filter((id) => id.startsWith('rotate-ssh-key-')).length,
    ).toBeGreaterThan(4);
    expect(leaks.flatMap((leak) => leak.leaking)).toEqual([]);
  });
}, 600_000);
