import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordHistory } from '../helpers/histories';
import {
  createWorkflowHarness,
  runId,
  TEST_PASSPHRASE,
  type WorkflowHarness,
} from '../helpers/temporal-worker';

describe('repository runs', () => {
  let harness: WorkflowHarness;
  let repositoryId: string;
  let archiveName: string;
  const started: string[] = [];

  beforeAll(async () => {
    harness = await createWorkflowHarness();
    await harness.startWorker();
    const sourceDir = path.join(harness.dataDir, 'source');
    await mkdir(path.join(sourceDir, 'photos'), { recursive: true });
    await writeFile(
      path.join(sourceDir, 'photos', 'cat.jpg'),
      Buffer.from([0xff, 0xd8, 0x00, 0x42]),
    );
    await writeFile(path.join(sourceDir, 'todo.txt'), 'buy milk\n');
    await symlink('/etc', path.join(sourceDir, 'etc-link'));
    repositoryId = (await harness.createRepository()).id;
    const planId = await harness.createPlan({ repositoryId, sources: [sourceDir] });
    const result = await run('backupPlan', planId, { planId });
    archiveName = String(result.archive);
  });

  afterAll(() => harness.close());

  async function run(workflowType: string, subject: string, input: Record<string, unknown>) {
    const id = runId(workflowType, subject);
    started.push(id);
    return harness.client.workflow.execute(workflowType, {
      taskQueue: harness.taskQueue,
      workflowId: id,
      args: [{ trigger: 'manual', operatorWaitSeconds: 0, ...input }],
    }) as Promise<Record<string, unknown>>;
  }

  it('restores selected paths into a target under RESTORE_ROOTS, byte for byte', async () => {
    const target = path.join(harness.config.restoreRoots[0], 'first');
    const sourcePath = path.join(harness.dataDir, 'source', 'photos').slice(1);

    const stats = await run('restoreArchive', repositoryId, {
      repositoryId,
      archive: archiveName,
      paths: [sourcePath],
      target,
    });

    expect(stats).toMatchObject({ target });
    const restored = await readFile(path.join(target, sourcePath, 'cat.jpg'));
    expect([...restored]).toEqual([0xff, 0xd8, 0x00, 0x42]);
  });

  it('refuses restore targets outside RESTORE_ROOTS, non-empty targets and ".." paths', async () => {
    const outside = run('restoreArchive', repositoryId, {
      repositoryId,
      archive: archiveName,
      paths: [],
      target: '/tmp/borgflow-escape',
    });
    await expect(outside).rejects.toBeInstanceOf(WorkflowFailedError);
    await expect(outside).rejects.toMatchObject({
      cause: { cause: { message: expect.stringContaining('outside the allowed roots') } },
    });

    const busy = path.join(harness.config.restoreRoots[0], 'busy');
    await mkdir(busy, { recursive: true });
    await writeFile(path.join(busy, 'precious.txt'), 'do not overwrite');
    await expect(
      run('restoreArchive', repositoryId, {
        repositoryId,
        archive: archiveName,
        paths: [],
        target: busy,
      }),
    ).rejects.toMatchObject({
      cause: { cause: { message: expect.stringContaining('not empty') } },
    });

    await expect(
      run('restoreArchive', repositoryId, {
        repositoryId,
        archive: archiveName,
        paths: ['../../etc'],
        target: path.join(harness.config.restoreRoots[0], 'dots'),
      }),
    ).rejects.toMatchObject({ cause: { cause: { message: expect.stringContaining('".."') } } });
  });

  it('refuses an archive whose items would be written through a symbolic link', async () => {
    // Borg itself never stores a file below a symlink, but an imported tar can: build one.
    const tarFile = path.join(harness.dataDir, 'hostile.tar');
    await execa('python3', [
      '-c',
      [
        'import io, sys, tarfile',
        'with tarfile.open(sys.argv[1], "w") as tar:',
        '    link = tarfile.TarInfo("escape"); link.type = tarfile.SYMTYPE; link.linkname = "/tmp"',
        '    tar.addfile(link)',
        '    data = b"owned"; item = tarfile.TarInfo("escape/borgflow-owned"); item.size = len(data)',
        '    tar.addfile(item, io.BytesIO(data))',
      ].join('\n'),
      tarFile,
    ]);
    const hostileRepository = await harness.createRepository();
    const location = hostileRepository.location;
    await execa('borg', ['import-tar', `${location}::hostile`, tarFile], {
      env: { BORG_PASSPHRASE: TEST_PASSPHRASE, BORG_BASE_DIR: path.join(harness.dataDir, 'borg') },
    });

    await expect(
      run('restoreArchive', hostileRepository.id, {
        repositoryId: hostileRepository.id,
        archive: 'hostile',
        paths: [],
        target: path.join(harness.config.restoreRoots[0], 'hostile'),
      }),
    ).rejects.toMatchObject({
      cause: { cause: { message: expect.stringContaining('below the symbolic link "escape"') } },
    });
    await expect(readFile('/tmp/borgflow-owned')).rejects.toThrow();
  });

  it('checks the repository and records the check time', async () => {
    const stats = await run('checkRepository', repositoryId, { repositoryId });

    expect(stats).toMatchObject({ isHealthy: true });
    const row = await harness.database.db
      .selectFrom('repositories')
      .select('last_check_at')
      .where('id', '=', repositoryId)
      .executeTakeFirstOrThrow();
    expect(row.last_check_at).not.toBeNull();
  });

  it('previews a prune without deleting anything', async () => {
    const stats = await run('pruneRepository', repositoryId, {
      repositoryId,
      retention: { keepLast: 1 },
      dryRun: true,
    });

    expect(stats).toMatchObject({ dryRun: true, pruned: [] });
  });

  it('deletes an archive and refreshes the archive list', async () => {
    const stats = await run('deleteRepositoryArchive', repositoryId, {
      repositoryId,
      archive: archiveName,
    });

    expect(stats).toMatchObject({ archive: archiveName, existed: true });
    const archives = await harness.database.db
      .selectFrom('archives')
      .select('name')
      .where('repository_id', '=', repositoryId)
      .execute();
    expect(archives).toEqual([]);
  });

  it('keeps the passphrase out of every workflow history', async () => {
    const histories = await Promise.all(
      started.map((id) => harness.client.workflow.getHandle(id).fetchHistory()),
    );

    for (const [index, id] of started.entries()) {
      await recordHistory(harness.client, id, `${id.split('-')[0]}-${index}`);
    }
    const text = JSON.stringify(histories);
    expect(text.length).toBeGreaterThan(1000);
    expect(text).not.toContain(TEST_PASSPHRASE);
    expect(text).not.toContain(Buffer.from(TEST_PASSPHRASE).toString('base64'));
  });
});
