import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArchive } from '../../activities/borg';
import {
  createWorkflowHarness,
  TEST_PASSPHRASE,
  type WorkflowHarness,
} from '../helpers/temporal-worker';

describe('refreshRepository', () => {
  let harness: WorkflowHarness;
  let repository: { id: string; location: string };

  beforeAll(async () => {
    harness = await createWorkflowHarness();
    repository = await harness.createRepository();
    const source = path.join(harness.dataDir, 'source');
    await mkdir(source, { recursive: true });
    const borg = {
      target: { location: repository.location, passphrase: TEST_PASSPHRASE },
      environment: { baseDir: path.join(harness.dataDir, 'borg'), hostId: 'refresh-test@1' },
    };
    for (const name of ['first', 'second', 'third']) {
      await writeFile(path.join(source, `${name}.txt`), `${name}\n`.repeat(1000));
      await createArchive(borg, { archiveName: name, sources: [source] });
    }
  }, 120_000);

  afterAll(() => harness?.close());

  function refresh(): ReturnType<WorkflowHarness['activities']['refreshRepository']> {
    return new MockActivityEnvironment().run(() =>
      harness.activities.refreshRepository({ repositoryId: repository.id }),
    );
  }

  async function storedArchives() {
    return harness.database.db
      .selectFrom('archives')
      .select(['name', 'original_bytes', 'files'])
      .where('repository_id', '=', repository.id)
      .orderBy('started_at')
      .execute();
  }

  it('stores the figures of every archive and keeps them instead of asking borg again', async () => {
    const result = await refresh();

    expect(result.archiveCount).toBe(3);
    const first = await storedArchives();
    expect(first.map((archive) => archive.name)).toEqual(['first', 'second', 'third']);
    expect(first.map((archive) => Number(archive.files))).toEqual([1, 2, 3]);
    for (const archive of first) expect(Number(archive.original_bytes)).toBeGreaterThan(0);

    // A figure only borg's first answer could have produced: a second refresh must keep it.
    await harness.database.db
      .updateTable('archives')
      .set({ original_bytes: 4242 })
      .where('repository_id', '=', repository.id)
      .where('name', '=', 'first')
      .execute();
    await refresh();

    const second = await storedArchives();
    expect(second.find((archive) => archive.name === 'first')?.original_bytes).toBe('4242');
    expect(second.map((archive) => Number(archive.files))).toEqual([1, 2, 3]);
  });
});
