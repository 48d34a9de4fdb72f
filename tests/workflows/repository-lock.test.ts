import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunStep } from '../../core/db/schema';
import { createWorkflowHarness, runId, type WorkflowHarness } from '../helpers/temporal-worker';

interface Interval {
  start: number;
  end: number;
}

function borgIntervals(steps: RunStep[] | null): Interval[] {
  return (steps ?? [])
    .filter((step) => ['create', 'prune', 'compact', 'refresh'].includes(step.name))
    .map((step) => ({ start: Date.parse(step.startedAt), end: Date.parse(step.finishedAt!) }));
}

function overlaps(a: Interval[], b: Interval[]): boolean {
  return a.some((x) => b.some((y) => x.start < y.end && y.start < x.end));
}

describe('one writer per repository', () => {
  let harness: WorkflowHarness;
  let sourceDir: string;

  beforeAll(async () => {
    harness = await createWorkflowHarness();
    await harness.startWorker();
    sourceDir = path.join(harness.dataDir, 'source');
    await mkdir(sourceDir, { recursive: true });
    await writeFile(path.join(sourceDir, 'data.bin'), randomBytes(24 * 1024 * 1024));
  });

  afterAll(() => harness.close());

  async function start(workflowType: string, subject: string, input: Record<string, unknown>) {
    const id = runId(workflowType, subject);
    const handle = await harness.client.workflow.start(workflowType, {
      taskQueue: harness.taskQueue,
      workflowId: id,
      args: [{ trigger: 'manual', operatorWaitSeconds: 0, ...input }],
    });
    return { id, handle };
  }

  async function rows(ids: string[]) {
    return harness.database.db.selectFrom('runs').selectAll().where('id', 'in', ids).execute();
  }

  // Three runs take turns on one repository; each waits for the one before it.
  it('runs two backups and a prune on one repository one after another, all succeeding', async () => {
    const repository = await harness.createRepository();
    const plans = await Promise.all(
      ['alpha', 'beta'].map((name) =>
        harness.createPlan({
          repositoryId: repository.id,
          sources: [sourceDir],
          name,
          compression: 'zstd,6',
        }),
      ),
    );
    const runs = await Promise.all([
      start('backupPlan', plans[0], { planId: plans[0] }),
      start('backupPlan', plans[1], { planId: plans[1] }),
      start('pruneRepository', repository.id, {
        repositoryId: repository.id,
        retention: { keepLast: 10 },
      }),
    ]);
    const ids = runs.map((run) => run.id);
    const waitingReasons = new Set<string>();
    const finished = Promise.all(runs.map((run) => run.handle.result()));
    let isDone = false;
    void finished.finally(() => (isDone = true));
    while (!isDone) {
      for (const row of await rows(ids)) {
        if (row.status === 'waiting' && row.waiting_reason) waitingReasons.add(row.waiting_reason);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await finished;

    const done = await rows(ids);
    expect(done.map((row) => row.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    const intervals = done.map((row) => borgIntervals(row.steps));
    expect(overlaps(intervals[0], intervals[1])).toBe(false);
    expect(overlaps(intervals[0], intervals[2])).toBe(false);
    expect(overlaps(intervals[1], intervals[2])).toBe(false);
    expect([...waitingReasons].some((reason) => /^waiting for (backup|prune)/.test(reason))).toBe(
      true,
    );
  }, 180_000);

  it('backs up two repositories in parallel', async () => {
    const repositories = await Promise.all([
      harness.createRepository(),
      harness.createRepository(),
    ]);
    const plans = await Promise.all(
      repositories.map((repository) =>
        harness.createPlan({
          repositoryId: repository.id,
          sources: [sourceDir],
          compression: 'zstd,10',
        }),
      ),
    );
    const runs = await Promise.all(plans.map((planId) => start('backupPlan', planId, { planId })));
    await Promise.all(runs.map((run) => run.handle.result()));

    const done = await rows(runs.map((run) => run.id));
    const creates = done.map((row) =>
      borgIntervals(row.steps?.filter((step) => step.name === 'create') ?? null),
    );
    expect(overlaps(creates[0], creates[1])).toBe(true);
  }, 120_000);
});
