import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listArchives } from '../../activities/borg';
import { secretContexts } from '../../core/secrets/contexts';
import {
  createWorkflowHarness,
  runId,
  TEST_PASSPHRASE,
  type WorkflowHarness,
} from '../helpers/temporal-worker';
import { waitForRunStatus } from '../helpers/runs';

describe('backupPlan workflow', () => {
  let harness: WorkflowHarness;
  let sourceDir: string;

  beforeAll(async () => {
    harness = await createWorkflowHarness();
    await harness.startWorker();
    sourceDir = path.join(harness.dataDir, 'source');
    await mkdir(path.join(sourceDir, 'docs'), { recursive: true });
    await writeFile(path.join(sourceDir, 'docs', 'report.txt'), 'quarterly numbers\n');
    await writeFile(path.join(sourceDir, 'notes.md'), '# notes\n');
  });

  afterAll(() => harness.close());

  async function runBackup(planId: string) {
    const id = runId('backup', planId);
    const result = await harness.client.workflow.execute('backupPlan', {
      taskQueue: harness.taskQueue,
      workflowId: id,
      args: [{ planId, trigger: 'manual', operatorWaitSeconds: 0 }],
    });
    const row = await harness.database.db
      .selectFrom('runs')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return { id, result, row };
  }

  it('ends with a warning that names a source borg could not read', async () => {
    const repository = await harness.createRepository();
    const planId = await harness.createPlan({
      repositoryId: repository.id,
      sources: [sourceDir, '/nonexistent/source/for/test'],
    });

    const { row } = await runBackup(planId);

    expect(row.status).toBe('warning');
    expect(JSON.stringify(row.stats?.warnings)).toContain('/nonexistent/source/for/test');
  });

  it('creates an archive, mirrors the run and refreshes the archive list', async () => {
    const repository = await harness.createRepository();
    const planId = await harness.createPlan({ repositoryId: repository.id, sources: [sourceDir] });

    const { row } = await runBackup(planId);

    expect(row).toMatchObject({ status: 'succeeded', kind: 'backup', plan_id: planId });
    expect(row.stats).toMatchObject({ files: 2 });
    expect(row.progress).toMatchObject({ files: 2, percent: 100 });
    expect(row.steps?.map((step) => step.name)).toEqual(['create', 'refresh']);
    const archives = await harness.database.db
      .selectFrom('archives')
      .select(['name', 'files'])
      .where('repository_id', '=', repository.id)
      .execute();
    expect(archives).toHaveLength(1);
    expect(archives[0].name).toBe(String(row.stats?.archive));
    const repoRow = await harness.database.db
      .selectFrom('repositories')
      .select(['stats', 'last_archive_at'])
      .where('id', '=', repository.id)
      .executeTakeFirstOrThrow();
    expect(repoRow.stats).toMatchObject({ archiveCount: 1 });
    expect(repoRow.last_archive_at).not.toBeNull();
  });

  // zstd at level 19 keeps borg busy for seconds on 32 MiB of random data, long enough for the
  // once-a-second progress writes to be seen while the run goes on.
  it("estimates a backup's percent from the size the plan's last backup read", async () => {
    const repository = await harness.createRepository();
    const planSource = path.join(harness.dataDir, 'estimated-source');
    await mkdir(planSource, { recursive: true });
    await writeFile(path.join(planSource, 'first.bin'), randomBytes(1024 * 1024));
    const planId = await harness.createPlan({
      repositoryId: repository.id,
      sources: [planSource],
      compression: 'zstd,19',
    });
    const first = await runBackup(planId);
    expect(first.row.status).toBe('succeeded');
    await writeFile(path.join(planSource, 'second.bin'), randomBytes(32 * 1024 * 1024));

    const id = runId('backup', planId);
    const second = harness.client.workflow.execute('backupPlan', {
      taskQueue: harness.taskQueue,
      workflowId: id,
      args: [{ planId, trigger: 'manual', operatorWaitSeconds: 0 }],
    });
    const seen: unknown[] = [];
    let isDone = false;
    void second.finally(() => (isDone = true));
    // Bounded by the run itself: polling stops when the workflow ends.
    while (!isDone) {
      const row = await harness.database.db
        .selectFrom('runs')
        .select('progress')
        .where('id', '=', id)
        .executeTakeFirst();
      if (row?.progress?.isPercentEstimated) seen.push(row.progress);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await second;

    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]).toMatchObject({ step: 'create', isPercentEstimated: true });
    const percents = seen.map((progress) => (progress as { percent: number }).percent);
    expect(Math.max(...percents)).toBeLessThanOrEqual(99);
    expect(Math.min(...percents)).toBeGreaterThan(0);
  });

  it('skips on a failing "skip" before-hook and runs failure after-hooks when borg fails', async () => {
    const repository = await harness.createRepository();
    const marker = path.join(harness.dataDir, 'after-hook-ran');
    const skipPlan = await harness.createPlan({
      repositoryId: repository.id,
      sources: [sourceDir],
      hooks: [
        {
          name: 'mounted?',
          when: 'before',
          command: 'echo "no disk at /mnt/backup"; exit 3',
          onFailure: 'skip',
        },
      ],
    });
    const lockedOut = await harness.createRepository();
    await harness.database.db
      .updateTable('repositories')
      .set({
        passphrase_secret: harness.secrets.encrypt(
          'not-the-passphrase',
          secretContexts.repositoryPassphrase(lockedOut.id),
        ),
      })
      .where('id', '=', lockedOut.id)
      .execute();
    const failPlan = await harness.createPlan({
      repositoryId: lockedOut.id,
      sources: [sourceDir],
      hooks: [
        {
          name: 'tell',
          when: 'after',
          command: `echo "$BORGFLOW_BACKUP_OUTCOME" > ${marker}`,
          runOn: 'failure',
        },
      ],
    });

    const skipped = await runBackup(skipPlan);
    expect(skipped.row.status).toBe('skipped');
    const skippedLog = await harness.database.db
      .selectFrom('run_log_lines')
      .select('line')
      .where('run_id', '=', skipped.row.id)
      .orderBy('id')
      .execute();
    expect(skippedLog.map((row) => row.line)).toEqual([
      '$ hook mounted? (before)',
      'no disk at /mnt/backup',
    ]);

    await expect(runBackup(failPlan)).rejects.toBeInstanceOf(WorkflowFailedError);

    const failed = await harness.database.db
      .selectFrom('runs')
      .selectAll()
      .where('plan_id', '=', failPlan)
      .executeTakeFirstOrThrow();
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ type: 'WRONG_PASSPHRASE' });
    expect((await readFile(marker, 'utf8')).trim()).toBe('failure');
  });

  it('stops a long before-hook and everything it started when the run is cancelled', async () => {
    const repository = await harness.createRepository();
    const pidFile = path.join(harness.dataDir, 'hook-sleeper.pid');
    const marker = path.join(harness.dataDir, 'hook-finished');
    const planId = await harness.createPlan({
      repositoryId: repository.id,
      sources: [sourceDir],
      // The sleep runs in the background of the shell: killing only the shell would leave it.
      hooks: [
        {
          name: 'slow',
          when: 'before',
          command: `sleep 300 & echo $! > ${pidFile}; wait; touch ${marker}`,
          timeoutSeconds: 600,
        },
      ],
    });
    const id = runId('backup', planId);
    const handle = await harness.client.workflow.start('backupPlan', {
      taskQueue: harness.taskQueue,
      workflowId: id,
      args: [{ planId, trigger: 'manual', operatorWaitSeconds: 0 }],
    });
    const sleeperPid = Number(await waitForFile(pidFile, 30_000));

    const cancelledAt = Date.now();
    await handle.cancel();
    const run = await waitForRunStatus(harness.database.db, id, ['canceled', 'failed'], 60_000);

    expect(run.status).toBe('canceled');
    // Temporal hands the cancellation over with the next heartbeat, every few seconds.
    expect(Date.now() - cancelledAt).toBeLessThan(30_000);
    expect(await isAlive(sleeperPid)).toBe(false);
    await expect(readFile(marker)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('runs prune after the backup with the plan retention, limited to the plan archives', async () => {
    const repository = await harness.createRepository();
    const planId = await harness.createPlan({
      repositoryId: repository.id,
      sources: [sourceDir],
      retention: { keepLast: 1 },
      pruneAfterBackup: true,
    });

    await runBackup(planId);
    const second = await runBackup(planId);
    expect(second.row.stats?.pruned).toHaveLength(1);

    const archives = await listArchives({
      target: { location: repository.location, passphrase: TEST_PASSPHRASE },
      environment: { baseDir: path.join(harness.dataDir, 'borg'), hostId: 'test-reader@1' },
    });
    expect(archives).toHaveLength(1);
  });
});

async function waitForFile(file: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const text = await readFile(file, 'utf8').catch(() => '');
    if (text.trim()) return text.trim();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${file} did not appear within ${timeoutMs} ms`);
}

/** Running or sleeping; a zombie waiting for its new parent to reap it does not count. */
async function isAlive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return stat !== '' && state !== 'Z' && state !== 'X';
}
