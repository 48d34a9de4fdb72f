import { appendFile, mkdir, open, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import {
  BorgError,
  breakLock,
  checkRepository,
  compactRepository,
  createArchive,
  deleteArchive,
  initRepository,
  listArchives,
  repositoryInfo,
  type BorgRepository,
  type EncryptionMode,
} from '../../../activities/borg';
import { useTempDirs } from '../../helpers/temp-dir';
import {
  findBorgPid,
  initialisedRepository,
  isAlive,
  PASSPHRASE,
  repositoryFixture,
  waitFor,
  writeTree,
} from './fixtures';

const makeDir = useTempDirs('borg-repository-');

async function rejection(promise: Promise<unknown>): Promise<BorgError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(BorgError);
  return error as BorgError;
}

/**
 * Holds the repository lock with `borg with-lock`, the way another borg command would. The sleep
 * gets a unique duration so the test can find and end it once borg is gone.
 */
function holdLock(repository: BorgRepository, hostId = repository.environment.hostId) {
  const sleepSeconds = `600.${Math.floor(Math.random() * 1e6)}`;
  const holder = execa('borg', ['with-lock', repository.target.location, 'sleep', sleepSeconds], {
    stdio: 'ignore',
    extendEnv: false,
    env: {
      PATH: process.env.PATH,
      HOME: repository.environment.baseDir,
      BORG_BASE_DIR: repository.environment.baseDir,
      BORG_HOST_ID: hostId,
      BORG_HOSTNAME_IS_UNIQUE: 'yes',
    },
    reject: false,
  });
  const endSleep = () =>
    execa('pkill', ['-KILL', '-f', `^sleep ${sleepSeconds}$`], { reject: false });
  return { holder, endSleep };
}

async function waitForLock(repository: BorgRepository): Promise<void> {
  const lockDir = path.join(repository.target.location, 'lock.exclusive');
  const isLocked = async () => (await readdir(lockDir).catch(() => [])).length > 0;
  for (let attempt = 0; attempt < 200 && !(await isLocked()); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('initRepository', () => {
  const modes: EncryptionMode[] = [
    'repokey-blake2',
    'repokey',
    'keyfile-blake2',
    'keyfile',
    'authenticated-blake2',
    'authenticated',
    'none',
  ];

  it.each(modes)('creates a usable %s repository', async (mode) => {
    const repository = await initialisedRepository(makeDir, mode);

    const info = await repositoryInfo(repository);

    expect(info.encryptionMode).toBe(mode);
    expect(info.location).toBe(repository.target.location);
    expect(info.id).toMatch(/^[0-9a-f]{64}$/);
    if (mode.startsWith('keyfile')) {
      expect(info.keyFile?.startsWith(repository.environment.baseDir)).toBe(true);
    }
  });

  it('refuses an encrypted mode without a passphrase before running borg', async () => {
    const repository = await repositoryFixture(makeDir, { hasPassphrase: false });

    await expect(initRepository(repository, { encryption: 'repokey' })).rejects.toThrow(TypeError);
  });

  it('reports REPOSITORY_ALREADY_EXISTS for a second init at the same location', async () => {
    const repository = await initialisedRepository(makeDir);

    const error = await rejection(initRepository(repository));

    expect(error.type).toBe('REPOSITORY_ALREADY_EXISTS');
    expect(error.isRetryable).toBe(false);
  });
});

describe('repositoryInfo', () => {
  it('reports WRONG_PASSPHRASE for a wrong passphrase', async () => {
    const repository = await initialisedRepository(makeDir);
    const wrong = { ...repository, target: { ...repository.target, passphrase: 'not-it' } };

    const error = await rejection(repositoryInfo(wrong));

    expect(error.type).toBe('WRONG_PASSPHRASE');
    expect(error.msgid).toBe('PassphraseWrong');
    expect(error.isRetryable).toBe(false);
  });

  it('reports REPOSITORY_NOT_FOUND for a missing repository', async () => {
    const repository = await repositoryFixture(makeDir);

    const error = await rejection(repositoryInfo(repository));

    expect(error.type).toBe('REPOSITORY_NOT_FOUND');
    expect(error.message).toMatch(/No borg repository exists/);
    expect(error.tail).toContain(repository.target.location);
  });

  it('reports NOT_A_REPOSITORY for a directory that holds something else', async () => {
    const repository = await repositoryFixture(makeDir);
    await writeTree(repository.target.location, { README: 'not a borg repository' });

    const error = await rejection(repositoryInfo(repository));

    expect(error.type).toBe('NOT_A_REPOSITORY');
  });

  it('sums the sizes of all archives', async () => {
    const repository = await initialisedRepository(makeDir);
    await writeTree(repository.workDir, { 'src/a.txt': 'a'.repeat(10_000) });
    await createArchive(repository, {
      archiveName: 'one',
      sources: [path.join(repository.workDir, 'src')],
    });

    const info = await repositoryInfo(repository);

    expect(info.totalOriginalBytes).toBeGreaterThanOrEqual(10_000);
    expect(info.uniqueCompressedBytes).toBeGreaterThan(0);
    expect(info.lastModified.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });
});

describe('repository locks', () => {
  it('reports LOCK_TIMEOUT while a live process holds the lock, and leaves its lock alone', async () => {
    const repository = await initialisedRepository(makeDir);
    const { holder, endSleep } = holdLock(repository);
    await waitForLock(repository);
    let progressReports = 0;

    const error = await rejection(
      listArchives(repository, {}, { lockWaitSeconds: 2, onProgress: () => progressReports++ }),
    );

    expect(error.type).toBe('LOCK_TIMEOUT');
    expect(error.isRetryable).toBe(true);
    // Borg prints nothing while it waits for the lock; progress still arrives every second.
    expect(progressReports).toBeGreaterThanOrEqual(1);
    expect(isAlive(holder.pid!)).toBe(true);
    expect((await readdir(path.join(repository.target.location, 'lock.exclusive'))).length).toBe(1);
    await endSleep();
    await holder;
  });

  it('clears the stale lock of a dead process on this host by itself', async () => {
    const repository = await initialisedRepository(makeDir);
    const { holder, endSleep } = holdLock(repository);
    await waitForLock(repository);
    const borgPid = await findBorgPid(repository.target.location);
    process.kill(borgPid, 'SIGKILL');
    await holder;
    await endSleep();
    expect(await waitFor(() => !isAlive(borgPid), 5000)).toBe(true);

    const archives = await listArchives(repository, {}, { lockWaitSeconds: 5 });

    expect(archives).toEqual([]);
  });

  it('breaks a lock of another host on request', async () => {
    const repository = await initialisedRepository(makeDir);
    const { holder, endSleep } = holdLock(repository, 'other-host@1234');
    await waitForLock(repository);
    holder.kill('SIGKILL');
    await holder;
    await endSleep();
    const blocked = await rejection(listArchives(repository, {}, { lockWaitSeconds: 1 }));
    expect(blocked.type).toBe('LOCK_TIMEOUT');

    await breakLock(repository);

    expect(await listArchives(repository, {}, { lockWaitSeconds: 1 })).toEqual([]);
  });
});

describe('checkRepository', () => {
  async function repositoryWithArchive() {
    const repository = await initialisedRepository(makeDir);
    await writeTree(repository.workDir, { 'src/a.txt': 'alpha'.repeat(1000), 'src/b.txt': 'beta' });
    await createArchive(repository, {
      archiveName: 'one',
      sources: [path.join(repository.workDir, 'src')],
    });
    return repository;
  }

  it('finds a healthy repository healthy in every scope', async () => {
    const repository = await repositoryWithArchive();

    const results = [
      await checkRepository(repository),
      await checkRepository(repository, { scope: 'repository' }),
      await checkRepository(repository, { scope: 'archives' }),
      await checkRepository(repository, { verifyData: true }),
    ];

    for (const result of results) {
      expect(result).toMatchObject({ status: 'success', isHealthy: true, isPartial: false });
    }
  });

  it('continues a partial check where the previous one stopped', async () => {
    const repository = await repositoryWithArchive();
    const damagedSegment = await corruptLargestSegment(repository);
    // Borg records how far a time-limited check got in the repository config; pretend an earlier
    // partial check already covered the damaged segment.
    const config = path.join(repository.target.location, 'config');
    await appendFile(config, `last_segment_checked = ${damagedSegment}\n`);

    const partial = await checkRepository(repository, { maxDurationSeconds: 60 });
    const full = await checkRepository(repository, { scope: 'repository' });

    expect(partial).toMatchObject({ status: 'success', isHealthy: true, isPartial: false });
    expect(full.isHealthy).toBe(false);
  });

  it('reports damage as unhealthy with borg explaining it', async () => {
    const repository = await repositoryWithArchive();
    await corruptLargestSegment(repository);

    const result = await checkRepository(repository, { scope: 'repository' });

    expect(result.isHealthy).toBe(false);
    expect(result.status).toBe('warning');
    expect(result.warnings.length).toBeGreaterThan(0);
  });
});

/** Overwrites bytes in the middle of the biggest segment file; returns its segment number. */
async function corruptLargestSegment(repository: BorgRepository): Promise<number> {
  const segmentDir = path.join(repository.target.location, 'data', '0');
  const segments = await Promise.all(
    (await readdir(segmentDir)).map(async (name) => {
      const file = path.join(segmentDir, name);
      return { file, size: (await stat(file)).size };
    }),
  );
  const largest = segments.sort((a, b) => b.size - a.size)[0];
  const handle = await open(largest.file, 'r+');
  await handle.write(Buffer.alloc(64), 0, 64, Math.floor(largest.size / 2));
  await handle.close();
  return Number(path.basename(largest.file));
}

describe('compactRepository', () => {
  it('frees the space of a deleted archive', async () => {
    const repository = await initialisedRepository(makeDir);
    await mkdir(path.join(repository.workDir, 'src'));
    await writeFile(path.join(repository.workDir, 'src', 'big.bin'), Buffer.alloc(2_000_000, 7));
    const sources = [path.join(repository.workDir, 'src')];
    await createArchive(repository, { archiveName: 'one', sources, compression: 'none' });
    await deleteArchive(repository, 'one');
    const before = await repositoryDiskUsage(repository);

    const result = await compactRepository(repository, { thresholdPercent: 0 });

    expect(result.status).toBe('success');
    expect(await repositoryDiskUsage(repository)).toBeLessThan(before - 1_000_000);
  });
});

async function repositoryDiskUsage(repository: BorgRepository): Promise<number> {
  const { stdout } = await execa('du', ['-sb', repository.target.location]);
  return Number(stdout.split('\t')[0]);
}

describe('passphrase handling', () => {
  it('never needs the passphrase in a repository of mode none', async () => {
    const repository = await initialisedRepository(makeDir, 'none');

    expect(await listArchives(repository)).toEqual([]);
    expect(PASSPHRASE).not.toBe('');
  });
});
