import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BorgError,
  createArchive,
  listArchives,
  type BorgProgress,
} from '../../../activities/borg';
import { useTempDirs } from '../../helpers/temp-dir';
import {
  findBorgPid,
  initialisedRepository,
  isAlive,
  waitFor,
  writeRandomFiles,
  type TestRepository,
} from './fixtures';

const makeDir = useTempDirs('borg-cancel-');

// Random data under lzma,6 compression runs at a few MB/s on one core: slow enough to interrupt
// a backup halfway through, small enough to keep each test at a few seconds.
const FILE_COUNT = 4;
const FILE_SIZE = 2_500_000;
const TOTAL_BYTES = FILE_COUNT * FILE_SIZE;
const SLOW_COMPRESSION = 'lzma,6';

async function slowSources(repository: TestRepository): Promise<string> {
  const sourceDir = path.join(repository.workDir, 'random');
  await writeRandomFiles(sourceDir, FILE_COUNT, FILE_SIZE);
  return sourceDir;
}

async function lockEntries(repository: TestRepository): Promise<string[]> {
  return readdir(path.join(repository.target.location, 'lock.exclusive')).catch(() => []);
}

describe('createArchive cancellation', () => {
  let repository: TestRepository;
  let sourceDir: string;

  beforeAll(async () => {
    repository = await initialisedRepository(makeDir);
    sourceDir = await slowSources(repository);
  });

  it('stops on abort, keeps a checkpoint and lets the next backup reuse its chunks', async () => {
    const controller = new AbortController();
    const samples: BorgProgress[] = [];

    const error = await createArchive(
      repository,
      { archiveName: 'nightly', sources: [sourceDir], compression: SLOW_COMPRESSION },
      {
        signal: controller.signal,
        onProgress: (sample) => samples.push(sample),
        onEvent: (event) => {
          // Progress is sampled once a second: on a busy machine borg may pass 40 % before the
          // first sample, so the abort also waits for one with a rate and a current file.
          const hasSampled = samples.some(
            (sample) => sample.bytesPerSecond > 0 && sample.currentPath,
          );
          if (
            event.type === 'archive_progress' &&
            event.originalBytes >= 0.4 * TOTAL_BYTES &&
            hasSampled
          ) {
            controller.abort();
          }
        },
      },
    ).catch((reason: unknown) => reason);

    expect(error).toBeInstanceOf(BorgError);
    expect(error).toMatchObject({ type: 'CANCELLED', isRetryable: false });
    expect(samples.some((sample) => sample.originalBytes > 0 && sample.currentPath)).toBe(true);
    expect(samples.some((sample) => sample.bytesPerSecond > 0)).toBe(true);
    const archives = await listArchives(repository, { includeCheckpoints: true });
    expect(archives.map((archive) => archive.name)).toContain('nightly.checkpoint');
    expect(await lockEntries(repository)).toEqual([]);

    const next = await createArchive(repository, { archiveName: 'nightly', sources: [sourceDir] });

    expect(next.status).toBe('success');
    expect(next.archive.stats.deduplicatedBytes).toBeLessThan(
      0.7 * next.archive.stats.originalBytes,
    );
  });

  it('does not start borg when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();

    const run = createArchive(
      repository,
      { archiveName: 'never', sources: [sourceDir] },
      { signal: controller.signal },
    );

    await expect(run).rejects.toMatchObject({ type: 'CANCELLED' });
    expect((await listArchives(repository)).map((archive) => archive.name)).not.toContain('never');
  });

  it('reports KILLED when borg dies from a signal nobody asked for', async () => {
    const run = createArchive(repository, {
      archiveName: 'killed',
      sources: [sourceDir],
      compression: SLOW_COMPRESSION,
    }).catch((reason: unknown) => reason);
    const borgPid = await findBorgPid(`${repository.target.location}::killed`);

    process.kill(borgPid, 'SIGKILL');

    expect(await run).toMatchObject({ type: 'KILLED', isRetryable: true });
    expect(await listArchives(repository, {}, { lockWaitSeconds: 5 })).toBeDefined();
  });
});

describe('borg under a worker killed with SIGKILL', () => {
  it('is interrupted by the kernel, writes a checkpoint and releases the repository', async () => {
    const repository = await initialisedRepository(makeDir);
    const sourceDir = await slowSources(repository);
    const fixture = path.join(import.meta.dirname, 'kill-worker.fixture.ts');
    const { workDir: _workDir, ...borgRepository } = repository;
    const worker = execa(
      'node',
      ['--import', 'tsx', fixture, JSON.stringify(borgRepository), sourceDir],
      { reject: false, stdin: 'ignore', stderr: 'ignore', buffer: false },
    );
    const borgPid = await findBorgPid(`${repository.target.location}::interrupted`);
    await once(createInterface({ input: worker.stdout }), 'line');

    worker.kill('SIGKILL');
    await worker;

    // SIGINT from the parent-death signal lets borg write a checkpoint before it exits; borg's
    // next progress line must not kill it first on a pipe whose reader has died.
    expect(await waitFor(() => !isAlive(borgPid), 20_000)).toBe(true);
    expect(await lockEntries(repository)).toEqual([]);
    const archives = await listArchives(
      repository,
      { includeCheckpoints: true },
      { lockWaitSeconds: 1 },
    );
    expect(archives.map((archive) => archive.name)).toEqual(['interrupted.checkpoint']);
  });
});
