import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listArchives } from '../../activities/borg';
import { waitForRun } from '../helpers/runs';
import { startCommand, type StackProcess } from '../helpers/stack-process';
import {
  createWorkflowHarness,
  runId,
  TEST_PASSPHRASE,
  type WorkflowHarness,
} from '../helpers/temporal-worker';

const SOURCE_BYTES = 240 * 1024 * 1024;
const KILL_AFTER_BYTES = 90 * 1024 * 1024;

// A worker killed with SIGKILL in the middle of `borg create`: the same run must finish on a
// restarted worker with one archive, no checkpoint left over, and most data not sent twice.
describe('backupPlan after a worker crash', () => {
  let harness: WorkflowHarness;
  const workers: StackProcess[] = [];

  beforeAll(async () => {
    harness = await createWorkflowHarness();
  });

  afterAll(async () => {
    for (const worker of workers) {
      const isRunning = worker.child.exitCode === null && worker.child.signalCode === null;
      if (isRunning) process.kill(-worker.child.pid!, 'SIGKILL');
    }
    await harness.close();
  });

  function startWorkerProcess(): StackProcess {
    const worker = startCommand(
      process.execPath,
      ['--import', 'tsx', 'bin/worker.ts'],
      harness.workerEnv(),
    );
    workers.push(worker);
    return worker;
  }

  // Two worker start-ups, a heartbeat timeout (30 s) before Temporal retries the killed attempt,
  // and two passes of borg over 240 MB of incompressible data.
  it('resumes the same run on a new worker and keeps one final archive', async () => {
    const sourceDir = path.join(harness.dataDir, 'big-source');
    await mkdir(sourceDir, { recursive: true });
    for (let index = 0; index < 8; index++) {
      await writeFile(path.join(sourceDir, `blob-${index}.bin`), randomBytes(SOURCE_BYTES / 8));
    }
    const repository = await harness.createRepository();
    // Strong compression keeps borg busy long enough to be killed in the middle. The plan keeps
    // borg's 30-minute checkpoint interval, so only the checkpoint borg writes when the worker's
    // death interrupts it can spare the retry from sending the data again.
    const planId = await harness.createPlan({
      repositoryId: repository.id,
      sources: [sourceDir],
      compression: 'zstd,15',
    });
    const first = startWorkerProcess();
    const id = runId('backup', planId);
    const handle = await harness.client.workflow.start('backupPlan', {
      taskQueue: harness.taskQueue,
      workflowId: id,
      args: [{ planId, trigger: 'manual', operatorWaitSeconds: 0 }],
    });

    // Until borg create is well under way: a worker start-up plus 90 MB at zstd,15 may take more
    // than the helper's default minute.
    await waitForRun(
      harness.database.db,
      id,
      (run) => (run.progress?.originalBytes ?? 0) > KILL_AFTER_BYTES,
      120_000,
    );
    // Only the worker: borg learns of its death from the kernel (pdeathsig), as after a real crash.
    process.kill(first.child.pid!, 'SIGKILL');
    await first.exited;
    startWorkerProcess();
    await handle.result();

    const row = await harness.database.db
      .selectFrom('runs')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('succeeded');
    const repo = {
      target: { location: repository.location, passphrase: TEST_PASSPHRASE },
      environment: { baseDir: path.join(harness.dataDir, 'borg'), hostId: 'test-reader@1' },
    };
    const archives = await listArchives(repo, { includeCheckpoints: true }, { lockWaitSeconds: 1 });
    expect(archives.map((archive) => archive.name)).toEqual([row.stats?.archive]);
    const stats = row.stats as { originalBytes: number; deduplicatedBytes: number };
    expect(stats.originalBytes).toBeGreaterThanOrEqual(SOURCE_BYTES);
    // The final archive only had to add what the killed attempt had not stored yet.
    expect(stats.deduplicatedBytes).toBeLessThan(stats.originalBytes * 0.75);
  }, 300_000);
});
