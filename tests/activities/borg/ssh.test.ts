import { readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BorgError,
  createArchive,
  initRepository,
  listArchives,
  scanHostKeys,
  trustHostKeys,
  verifyHostKeys,
  type BorgRepository,
} from '../../../activities/borg';
import { generateSshKeyPair, startSshd, type SshKeyPair, type TestSshd } from '../../helpers/sshd';
import { useTempDirs } from '../../helpers/temp-dir';
import { findBorgPid, PASSPHRASE, readProcFile, writeTree } from './fixtures';

const makeDir = useTempDirs('borg-ssh-');

let sshd: TestSshd;
let clientKey: SshKeyPair;
let allowedDir: string;
let knownHostsFile: string;
let baseDir: string;
let sourceDir: string;
let sharedTmpDir: string | undefined;

beforeAll(async () => {
  const sshdDir = await makeDir('sshd');
  [allowedDir, baseDir, sourceDir] = await Promise.all([
    makeDir('allowed'),
    makeDir('base'),
    makeDir('src'),
  ]);
  knownHostsFile = path.join(baseDir, 'known_hosts');
  // The ssh sessions of this file make their key directories in a temporary directory of its
  // own: other test files that use ssh at the same time must not count as leftovers here.
  sharedTmpDir = process.env.TMPDIR;
  process.env.TMPDIR = await makeDir('session-tmp');
  clientKey = await generateSshKeyPair(sshdDir, 'client');
  sshd = await startSshd(sshdDir);
  await sshd.setAuthorizedKeys([
    `command="borg serve --restrict-to-path ${allowedDir}",restrict ${clientKey.publicKey}`,
  ]);
  await writeTree(sourceDir, { 'hello.txt': 'hello over ssh' });
});

afterAll(async () => {
  await sshd?.stop();
  if (sharedTmpDir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = sharedTmpDir;
});

function sshRepository(repositoryPath: string, overrides: Partial<BorgRepository['target']> = {}) {
  return {
    target: {
      location: `ssh://root@127.0.0.1:${sshd.port}${repositoryPath}`,
      passphrase: PASSPHRASE,
      sshPrivateKey: clientKey.privateKey,
      knownHostsFile,
      ...overrides,
    },
    environment: { baseDir, hostId: 'ssh-test-host' },
  } satisfies BorgRepository;
}

async function rejection(promise: Promise<unknown>): Promise<BorgError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(BorgError);
  return error as BorgError;
}

async function leftoverKeyDirs(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((name) => name.startsWith('borgflow-ssh-'));
}

describe('host key pinning', () => {
  it('scans the host key with the fingerprint ssh-keygen shows, and trusts it on request', async () => {
    const location = sshRepository(path.join(allowedDir, 'any')).target.location;
    const { stdout } = await execa('ssh-keygen', ['-l', '-f', '-'], { input: sshd.hostPublicKey });

    const keys = await scanHostKeys(location);
    const before = await verifyHostKeys(location, knownHostsFile);
    await trustHostKeys(knownHostsFile, keys);
    const after = await verifyHostKeys(location, knownHostsFile);

    const ed25519 = keys.find((key) => key.keyType === 'ssh-ed25519');
    expect(stdout).toContain(ed25519?.fingerprintSha256);
    expect(ed25519?.knownHostsLine).toBe(`[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}`);
    expect(before.status).toBe('unknown');
    expect(after.status).toBe('trusted');
  });
});

describe('borg over ssh', () => {
  beforeAll(async () => {
    await trustHostKeys(knownHostsFile, await scanHostKeys(`ssh://127.0.0.1:${sshd.port}/`));
  });

  it('initialises, backs up to and lists a repository inside the allowed path', async () => {
    const repository = sshRepository(path.join(allowedDir, 'main'));

    await initRepository(repository);
    const created = await createArchive(repository, { archiveName: 'first', sources: [sourceDir] });
    const archives = await listArchives(repository);

    expect(created.archive.stats.files).toBe(1);
    expect(archives.map((archive) => archive.name)).toEqual(['first']);
    expect(await leftoverKeyDirs()).toEqual([]);
  });

  it('keeps the private key and passphrase out of the process table and removes the key file', async () => {
    const repository = sshRepository(path.join(allowedDir, 'secret-check'));
    await initRepository(repository);

    const run = createArchive(repository, { archiveName: 'watched', sources: [sourceDir] });
    const borgPid = await findBorgPid(`${allowedDir}/secret-check::watched`);
    const [cmdline, environ] = await Promise.all([
      readProcFile(borgPid, 'cmdline'),
      readProcFile(borgPid, 'environ'),
    ]);
    await run;

    const keyBody = clientKey.privateKey.split('\n')[1];
    for (const text of [cmdline, environ]) {
      expect(text).not.toContain(PASSPHRASE);
      expect(text).not.toContain(keyBody);
    }
    expect(environ).toMatch(/BORG_RSH=ssh .*-o StrictHostKeyChecking=yes/);
    expect(await leftoverKeyDirs()).toEqual([]);
  });

  it('reports PATH_NOT_ALLOWED for a repository outside the restricted path', async () => {
    const outside = await makeDir('outside');

    const error = await rejection(initRepository(sshRepository(path.join(outside, 'repo'))));

    expect(error.type).toBe('PATH_NOT_ALLOWED');
    expect(error.isRetryable).toBe(false);
    expect(error.message).toMatch(/restricted/);
  });

  it('reports CONNECTION_FAILED for a port nobody listens on', async () => {
    const repository = sshRepository(path.join(allowedDir, 'main'));
    const closed = {
      ...repository.target,
      location: `ssh://root@127.0.0.1:1${path.join(allowedDir, 'main')}`,
    };

    const error = await rejection(listArchives({ ...repository, target: closed }));

    expect(error.type).toBe('CONNECTION_FAILED');
    expect(error.isRetryable).toBe(true);
    expect(error.tail).toContain('Connection refused');
    expect(await leftoverKeyDirs()).toEqual([]);
  });

  it('reports HOST_KEY_UNKNOWN for a host that was never approved', async () => {
    const emptyKnownHosts = path.join(await makeDir('known'), 'known_hosts');
    await writeFile(emptyKnownHosts, '');

    const error = await rejection(
      listArchives(
        sshRepository(path.join(allowedDir, 'main'), { knownHostsFile: emptyKnownHosts }),
      ),
    );

    expect(error.type).toBe('HOST_KEY_UNKNOWN');
    expect(error.isRetryable).toBe(false);
  });

  it('reports HOST_KEY_CHANGED when the server key differs from the pinned one', async () => {
    const dir = await makeDir('changed');
    const impostor = await generateSshKeyPair(dir, 'impostor');
    const pinnedFile = path.join(dir, 'known_hosts');
    const impostorKey = impostor.publicKey.split(' ').slice(0, 2).join(' ');
    await writeFile(pinnedFile, `[127.0.0.1]:${sshd.port} ${impostorKey}\n`);
    const repository = sshRepository(path.join(allowedDir, 'main'), { knownHostsFile: pinnedFile });

    const error = await rejection(listArchives(repository));
    const verification = await verifyHostKeys(repository.target.location, pinnedFile);

    expect(error.type).toBe('HOST_KEY_CHANGED');
    expect(error.message).toMatch(/ssh key changed/);
    expect(verification.status).toBe('changed');
  });

  it('reports PERMISSION_DENIED for a key the server does not accept', async () => {
    const stranger = await generateSshKeyPair(await makeDir('stranger'), 'stranger');
    const repository = sshRepository(path.join(allowedDir, 'main'), {
      sshPrivateKey: stranger.privateKey,
    });

    const error = await rejection(listArchives(repository));

    expect(error.type).toBe('PERMISSION_DENIED');
    expect(JSON.stringify(error)).not.toContain(stranger.privateKey.split('\n')[1]);
    expect(await leftoverKeyDirs()).toEqual([]);
  });
});
