import {
  ActivityCancellationType,
  isCancellation,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BackupPlan, CreatedBackup } from '../activities/backup';
import { archiveGlob, renderArchiveName } from '../core/archive-names';
import type { BackupRunInput, PlanHook, RunStatus } from '../core/runs';
import { BORG_ACTIVITY, QUICK_ACTIVITY } from './activity-options';
import { startHealthPing } from './notify-run';
import { RunContext, toRunError } from './run-context';

const borg = proxyActivities<Activities>(BORG_ACTIVITY);
const quick = proxyActivities<Activities>(QUICK_ACTIVITY);

/**
 * A backup of one plan: before-hooks, `borg create`, after-hooks (which run even when the backup
 * failed), then optionally prune + compact and a check, and a refresh of the archive list.
 */
export async function backupPlan(input: BackupRunInput): Promise<Record<string, unknown>> {
  const plan = await quick.loadBackupPlan({ planId: input.planId });
  const run = new RunContext(
    { kind: 'backup', repositoryId: plan.repositoryId, planId: plan.id },
    { ...input },
  );
  const overlappingRunId = await run.start();
  if (overlappingRunId) return { skippedBecause: `plan already running as ${overlappingRunId}` };

  const stats: Record<string, unknown> = {};
  let status: RunStatus = 'succeeded';
  let startPing: Promise<void> | undefined;
  try {
    const beforeOutcome = await runBeforeHooks(run, plan);
    if (beforeOutcome === 'skip') {
      await run.finish('skipped', { skippedBecause: 'a before-hook asked to skip' });
      return { skipped: true };
    }

    // Not awaited here: a slow health-check endpoint must not hold up the backup.
    startPing = startHealthPing({ planId: plan.id, runId: run.runId, kind: 'start' });
    await run.acquireRepository(plan.repositoryId);
    const archiveName = renderArchiveName(plan.archiveNameTemplate, {
      plan: plan.name,
      now: workflowInfo().startTime,
    });
    let created: CreatedBackup | undefined;
    try {
      const step = await run.step(
        'create',
        () => borg.createPlanArchive({ runId: run.runId, planId: plan.id, archiveName }),
        { repositoryId: plan.repositoryId },
      );
      if ('value' in step) created = step.value;
    } catch (error) {
      if (!isCancellation(error)) await runAfterHooks(run, plan, 'failure');
      throw error;
    }
    if (created) {
      Object.assign(stats, { archive: created.archiveName, ...created.stats });
      if (created.status === 'warning') {
        status = 'warning';
        stats.warnings = created.warnings;
      }
    }
    if (!(await runAfterHooks(run, plan, 'success'))) status = 'warning';

    if (plan.pruneAfterBackup && plan.retention) {
      const globArchives = archiveGlob(plan.archiveNameTemplate, plan.name);
      const pruned = await run.step(
        'prune',
        () =>
          borg.pruneRepositoryStep({
            runId: run.runId,
            repositoryId: plan.repositoryId,
            retention: plan.retention!,
            globArchives,
          }),
        { isSkippable: true, repositoryId: plan.repositoryId },
      );
      if ('value' in pruned) stats.pruned = pruned.value.pruned;
      if (plan.compactAfterPrune) {
        await run.step(
          'compact',
          () => borg.compactRepositoryStep({ runId: run.runId, repositoryId: plan.repositoryId }),
          { isSkippable: true, repositoryId: plan.repositoryId },
        );
      }
    }
    if (plan.checkAfterBackup) {
      const checked = await run.step(
        'check',
        () => borg.checkRepositoryStep({ runId: run.runId, repositoryId: plan.repositoryId }),
        { isSkippable: true, repositoryId: plan.repositoryId },
      );
      if ('value' in checked && !checked.value.isHealthy) {
        status = 'warning';
        stats.checkProblems = checked.value.problems;
      }
    }
    await run.step('refresh', () => borg.refreshRepository({ repositoryId: plan.repositoryId }), {
      isSkippable: true,
      repositoryId: plan.repositoryId,
    });
    await run.releaseRepository(plan.repositoryId);

    await run.finish(status, stats);
    await startPing;
    await startHealthPing({ planId: plan.id, runId: run.runId, kind: 'success' });
    return stats;
  } catch (error) {
    await run.releaseRepository(plan.repositoryId);
    await run.finish(isCancellation(error) ? 'canceled' : 'failed', stats, toRunError(error));
    await startPing;
    await startHealthPing({ planId: plan.id, runId: run.runId, kind: 'failure', exitStatus: 1 });
    throw error;
  }
}

/** Hooks run once, with their own time limit: a command with side effects is not retried. */
function hookActivities(hook: PlanHook) {
  return proxyActivities<Activities>({
    startToCloseTimeout: `${(hook.timeoutSeconds ?? 300) + 30} seconds`,
    // The hook heartbeats every few seconds: that is how a cancelled run reaches it, and the run
    // ends only once the hook has stopped.
    heartbeatTimeout: '30 seconds',
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { maximumAttempts: 1 },
  });
}

/** Returns `skip` when a failing before-hook is marked to skip the run rather than fail it. */
async function runBeforeHooks(run: RunContext, plan: BackupPlan): Promise<'go' | 'skip'> {
  for (const hook of plan.hooks.filter((h) => h.when === 'before')) {
    try {
      await hookActivities(hook).runPlanHook({ runId: run.runId, planName: plan.name, hook });
      run.markStep(`hook: ${hook.name}`, 'succeeded');
    } catch (error) {
      if (isCancellation(error)) throw error;
      run.markStep(`hook: ${hook.name}`, hook.onFailure === 'skip' ? 'skipped' : 'failed');
      if (hook.onFailure === 'skip') return 'skip';
      throw error;
    }
  }
  return 'go';
}

/** Returns false when an after-hook failed: the backup stands, the run ends with a warning. */
async function runAfterHooks(
  run: RunContext,
  plan: BackupPlan,
  outcome: 'success' | 'failure',
): Promise<boolean> {
  let isClean = true;
  const wanted = (hook: PlanHook) =>
    hook.when === 'after' &&
    (hook.runOn ?? 'always') !== (outcome === 'success' ? 'failure' : 'success');
  for (const hook of plan.hooks.filter(wanted)) {
    try {
      await hookActivities(hook).runPlanHook({
        runId: run.runId,
        planName: plan.name,
        hook,
        outcome,
      });
      run.markStep(`hook: ${hook.name}`, 'succeeded');
    } catch (error) {
      if (isCancellation(error)) throw error;
      // An after-hook cannot undo the backup: record it and go on.
      run.markStep(`hook: ${hook.name}`, 'failed');
      isClean = false;
    }
  }
  return isClean;
}
