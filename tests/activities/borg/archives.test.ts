import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  archiveInfo,
  BorgError,
  createArchive,
  deleteArchive,
  diffArchives,
  exportTar,
  extractArchive,
  listArchiveItems,
  listArchives,
  pruneArchives,
  type ArchiveItem,
} from '../../../activities/borg';
import { useTempDirs } from '../../helpers/temp-dir';
import { initialisedRepository, writeTree, type TestRepository } from './fixtures';

const makeDir = useTempDirs('borg-archives-');

async function rejection(promise: Promise<unknown>): Promise<BorgError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(BorgError);
  return error as BorgError;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const collected: T[] = [];
  for await (const item of items) collected.push(item);
  return collected;
}

describe('createArchive', () => {
  let repository: TestRepository;
  let sourceDir: string;

  beforeAll(async () => {
    repository = await initialisedRepository(makeDir);
    sourceDir = path.join(repository.workDir, 'src');
    await writeTree(sourceDir, {
      'docs/readme.txt': 'hello borg',
      'docs/notes.md': '# notes',
      'cache/skip.tmp': 'not wanted',
      'data.bin': randomBytes(300_000),
    });
  });

  it('returns the stats of the new archive', async () => {
    const result = await createArchive(repository, {
      archiveName: 'first',
      sources: [sourceDir],
      compression: 'zstd,3',
    });

    expect(result.status).toBe('success');
    expect(result.warnings).toEqual([]);
    expect(result.archive.name).toBe('first');
    expect(result.archive.id).toMatch(/^[0-9a-f]{64}$/);
    expect(result.archive.stats.files).toBe(4);
    expect(result.archive.stats.originalBytes).toBeGreaterThan(300_000);
    expect(result.archive.start.getTime()).toBeLessThanOrEqual(result.archive.end.getTime());
  });

  it('leaves out excluded paths', async () => {
    await createArchive(repository, {
      archiveName: 'without-cache',
      sources: [sourceDir],
      excludePatterns: ['sh:**/cache'],
    });

    const items = await collect(listArchiveItems(repository, { archiveName: 'without-cache' }));

    const paths = items.map((item) => item.path);
    expect(paths.some((item) => item.endsWith('docs/readme.txt'))).toBe(true);
    expect(paths.some((item) => item.includes('/cache'))).toBe(false);
  });

  it('reports a warning naming a source that does not exist', async () => {
    const missing = path.join(repository.workDir, 'does-not-exist');

    const result = await createArchive(repository, {
      archiveName: 'with-missing-source',
      sources: [sourceDir, missing],
    });

    expect(result.status).toBe('warning');
    expect(result.warnings).toContainEqual(expect.objectContaining({ path: missing }));
    expect(result.archive.stats.files).toBe(4);
  });

  it('reports a warning naming a source file it cannot read', async () => {
    // Running as root, permissions cannot make a file unreadable; reading a process's memory map
    // at offset 0 fails with EIO for every user.
    const unreadable = '/proc/self/mem';

    const result = await createArchive(repository, {
      archiveName: 'with-unreadable-source',
      sources: [sourceDir, unreadable],
    });

    expect(result.status).toBe('warning');
    expect(result.warnings).toContainEqual({
      path: unreadable,
      message: expect.stringContaining('Input/output error') as string,
    });
  });

  it('reports ARCHIVE_ALREADY_EXISTS for a name in use', async () => {
    const error = await rejection(
      createArchive(repository, { archiveName: 'first', sources: [sourceDir] }),
    );

    expect(error.type).toBe('ARCHIVE_ALREADY_EXISTS');
    expect(error.commandName).toBe('create');
    expect(error.isRetryable).toBe(false);
  });
});

describe('archive queries', () => {
  let repository: TestRepository;
  let sourceDir: string;

  beforeAll(async () => {
    repository = await initialisedRepository(makeDir);
    sourceDir = path.join(repository.workDir, 'src');
    await writeTree(sourceDir, {
      'keep.txt': 'unchanged',
      'change.txt': 'version one',
      'remove.txt': 'old',
      'nested/deep/file.txt': 'deep',
    });
    await createArchive(repository, { archiveName: 'plan-a-1', sources: [sourceDir] });
    await writeFile(path.join(sourceDir, 'change.txt'), 'version two is longer');
    await rm(path.join(sourceDir, 'remove.txt'));
    await writeFile(path.join(sourceDir, 'added.txt'), 'new');
    await createArchive(repository, { archiveName: 'plan-a-2', sources: [sourceDir] });
    await createArchive(repository, { archiveName: 'plan-b-1', sources: [sourceDir] });
  });

  it('lists all archives oldest first, or those matching a prefix or glob', async () => {
    const all = await listArchives(repository);
    const planA = await listArchives(repository, { prefix: 'plan-a-' });
    const planB = await listArchives(repository, { glob: '*-b-*' });

    expect(all.map((archive) => archive.name)).toEqual(['plan-a-1', 'plan-a-2', 'plan-b-1']);
    expect(planA.map((archive) => archive.name)).toEqual(['plan-a-1', 'plan-a-2']);
    expect(planB.map((archive) => archive.name)).toEqual(['plan-b-1']);
    expect(all[0].start).toBeInstanceOf(Date);
  });

  it('describes one archive', async () => {
    const info = await archiveInfo(repository, 'plan-a-1');

    expect(info.name).toBe('plan-a-1');
    expect(info.stats.files).toBe(4);
    expect(info.commandLine).toContain('create');
    expect(info.hostname.length).toBeGreaterThan(0);
  });

  it('reports ARCHIVE_NOT_FOUND for an unknown archive', async () => {
    const error = await rejection(archiveInfo(repository, 'no-such-archive'));

    expect(error.type).toBe('ARCHIVE_NOT_FOUND');
  });

  it('streams the items of an archive, optionally below a path', async () => {
    const all = await collect(listArchiveItems(repository, { archiveName: 'plan-a-1' }));
    const nestedPrefix = path.join(sourceDir, 'nested').slice(1);
    const nested = await collect(
      listArchiveItems(repository, { archiveName: 'plan-a-1', pathPrefix: nestedPrefix }),
    );

    const file = all.find((item) => item.path.endsWith('keep.txt')) as ArchiveItem;
    expect(file).toMatchObject({ type: '-', sizeBytes: 9, user: 'root', isHealthy: true });
    expect(file.mtime.getTime()).toBeGreaterThan(Date.now() - 3_600_000);
    expect(nested.map((item) => item.path.slice(nestedPrefix.length))).toEqual([
      '',
      '/deep',
      '/deep/file.txt',
    ]);
  });

  it('stops borg when the consumer stops reading early', async () => {
    const items = listArchiveItems(repository, { archiveName: 'plan-a-1' });

    for await (const item of items) {
      expect(item.path.length).toBeGreaterThan(0);
      break;
    }

    expect(await listArchives(repository, {}, { lockWaitSeconds: 1 })).toHaveLength(3);
  });

  it('reports what changed between two archives', async () => {
    const entries = await diffArchives(repository, {
      archiveName: 'plan-a-1',
      otherArchiveName: 'plan-a-2',
    });

    const byName = new Map(entries.map((entry) => [path.basename(entry.path), entry.changes]));
    expect(byName.get('added.txt')).toContainEqual({ type: 'added', sizeBytes: 3 });
    expect(byName.get('remove.txt')).toContainEqual({ type: 'removed', sizeBytes: 3 });
    expect(byName.get('change.txt')).toContainEqual(
      expect.objectContaining({ type: 'modified', addedBytes: 21, removedBytes: 11 }),
    );
    expect(byName.has('keep.txt')).toBe(false);
  });

  it('extracts selected paths into the target directory with identical bytes', async () => {
    const targetDir = path.join(repository.workDir, 'restore');
    const relativeSource = sourceDir.slice(1);

    const result = await extractArchive(repository, {
      archiveName: 'plan-a-2',
      targetDir,
      paths: [`${relativeSource}/change.txt`, `${relativeSource}/nested`],
    });

    expect(result.status).toBe('success');
    const restored = path.join(targetDir, relativeSource);
    expect(await readFile(path.join(restored, 'change.txt'), 'utf8')).toBe('version two is longer');
    expect(await readFile(path.join(restored, 'nested/deep/file.txt'), 'utf8')).toBe('deep');
    await expect(readFile(path.join(restored, 'keep.txt'))).rejects.toThrow();
  });

  it('strips leading path components on extraction', async () => {
    const targetDir = path.join(repository.workDir, 'restore-stripped');
    const depth = sourceDir.split('/').filter(Boolean).length;

    await extractArchive(repository, {
      archiveName: 'plan-a-1',
      targetDir,
      stripComponents: depth,
    });

    expect(await readFile(path.join(targetDir, 'remove.txt'), 'utf8')).toBe('old');
  });

  it('exports an archive as a tar stream that tar can read', async () => {
    const tarFile = path.join(repository.workDir, 'export.tar');
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (chunk: Buffer) => chunks.push(chunk));

    const result = await exportTar(repository, { archiveName: 'plan-a-2' }, sink);

    expect(result.status).toBe('success');
    await writeFile(tarFile, Buffer.concat(chunks));
    const { stdout } = await execa('tar', ['-tf', tarFile]);
    expect(stdout).toContain(`${sourceDir.slice(1)}/added.txt`);
    const extracted = await execa('tar', ['-xOf', tarFile, `${sourceDir.slice(1)}/change.txt`]);
    expect(extracted.stdout).toBe('version two is longer');
  });
});

describe('pruneArchives and deleteArchive', () => {
  let repository: TestRepository;

  beforeAll(async () => {
    repository = await initialisedRepository(makeDir);
    const sourceDir = path.join(repository.workDir, 'src');
    await writeTree(sourceDir, { 'file.txt': 'content' });
    for (const name of ['daily-1', 'daily-2', 'daily-3', 'other-1', 'doomed-1']) {
      await createArchive(repository, { archiveName: name, sources: [sourceDir] });
    }
  });

  it('previews which archives a policy would prune, without deleting them', async () => {
    const preview = await pruneArchives(repository, {
      keepLast: 1,
      globArchives: 'daily-*',
      dryRun: true,
    });

    expect(preview.isDryRun).toBe(true);
    expect(preview.archives).toEqual([
      expect.objectContaining({ name: 'daily-3', decision: 'keep', rule: 'secondly #1' }),
      expect.objectContaining({ name: 'daily-2', decision: 'prune' }),
      expect.objectContaining({ name: 'daily-1', decision: 'prune' }),
    ]);
    expect(await listArchives(repository, { prefix: 'daily-' })).toHaveLength(3);
  });

  it('prunes only the archives of the given glob', async () => {
    const result = await pruneArchives(repository, { keepLast: 1, globArchives: 'daily-*' });

    expect(result.archives.filter((archive) => archive.decision === 'prune')).toHaveLength(2);
    const names = (await listArchives(repository)).map((archive) => archive.name);
    expect(names).toEqual(['daily-3', 'other-1', 'doomed-1']);
  });

  it('refuses a policy without any keep rule', async () => {
    await expect(pruneArchives(repository, { globArchives: 'daily-*' })).rejects.toThrow(TypeError);
  });

  it('deletes one archive by name', async () => {
    const result = await deleteArchive(repository, 'doomed-1');

    expect(result.status).toBe('success');
    const names = (await listArchives(repository)).map((archive) => archive.name);
    expect(names).toEqual(['daily-3', 'other-1']);
  });
});
