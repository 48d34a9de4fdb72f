import { isCancellation, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type {
  CheckRunInput,
  CompactRunInput,
  DeleteArchiveRunInput,
  PruneRunInput,
  RunInputBase,
  RunKind,
  RunStatus,
} from '../core/runs';
import { BORG_ACTIVITY } from './activity-options';
import { RunContext, toRunError } from './run-context';

const borg = proxyActivities<Activities>(BORG_ACTIVITY);

interface Outcome {
  status: RunStatus;
  stats: Record<string, unknown>;
}

/**
 * The shape every single-repository run shares: start, take the repository, do the work, refresh
 * the archive list, give the repository back, record the end (also when failed or cancelled).
 */
export async function repositoryRun(
  kind: RunKind,
  input: RunInputBase & { repositoryId: string } & Record<string, unknown>,
  work: (run: RunContext) => Promise<Outcome>,
): Promise<Record<string, unknown>> {
  const { repositoryId } = input;
  const run = new RunContext({ kind, repositoryId }, input);
  await run.start();
  try {
    await run.acquireRepository(repositoryId);
    const { status, stats } = await work(run);
    await run.releaseRepository(repositoryId);

    await run.finish(status, stats);
    return stats;
  } catch (error) {
    await run.releaseRepository(repositoryId);
    await run.finish(isCancellation(error) ? 'canceled' : 'failed', undefined, toRunError(error));
    throw error;
  }
}

async function refresh(run: RunContext, repositoryId: string): Promise<void> {
  await run.step('refresh', () => borg.refreshRepository({ repositoryId }), {
    isSkippable: true,
    repositoryId,
  });
}

/** `borg check`: repository and/or archives, optionally verifying data, or a timed slice. */
export async function checkRepository(input: CheckRunInput): Promise<Record<string, unknown>> {
  return repositoryRun('check', { ...input }, async (run) => {
    const step = await run.step(
      'check',
      () => borg.checkRepositoryStep({ runId: run.runId, ...input }),
      { repositoryId: input.repositoryId },
    );
    if (!('value' in step)) return { status: 'skipped', stats: {} };
    const { isHealthy, isPartial, problems } = step.value;

    return {
      status: isHealthy ? 'succeeded' : 'warning',
      stats: { isHealthy, isPartial, problems },
    };
  });
}

/** `borg prune`, then `compact`; a dry run only reports which archives would go. */
export async function pruneRepository(input: PruneRunInput): Promise<Record<string, unknown>> {
  return repositoryRun('prune', { ...input }, async (run) => {
    const step = await run.step(
      'prune',
      () =>
        borg.pruneRepositoryStep({
          runId: run.runId,
          repositoryId: input.repositoryId,
          retention: input.retention,
          globArchives: input.globArchives,
          dryRun: input.dryRun,
        }),
      { repositoryId: input.repositoryId },
    );
    if (!('value' in step)) return { status: 'skipped', stats: {} };
    const stats = { dryRun: step.value.isDryRun, pruned: step.value.pruned, kept: step.value.kept };
    if (input.dryRun) return { status: 'succeeded', stats };

    if (input.compact ?? true) {
      await run.step(
        'compact',
        () => borg.compactRepositoryStep({ runId: run.runId, repositoryId: input.repositoryId }),
        { isSkippable: true, repositoryId: input.repositoryId },
      );
    }
    await refresh(run, input.repositoryId);
    return { status: step.value.status === 'warning' ? 'warning' : 'succeeded', stats };
  });
}

/** `borg compact`: frees the space deleted and pruned archives left behind. */
export async function compactRepository(input: CompactRunInput): Promise<Record<string, unknown>> {
  return repositoryRun('compact', { ...input }, async (run) => {
    await run.step(
      'compact',
      () => borg.compactRepositoryStep({ runId: run.runId, repositoryId: input.repositoryId }),
      { repositoryId: input.repositoryId },
    );
    await refresh(run, input.repositoryId);
    return { status: 'succeeded', stats: {} };
  });
}

/** Deletes one archive, then compacts so the space is really freed. */
export async function deleteRepositoryArchive(
  input: DeleteArchiveRunInput,
): Promise<Record<string, unknown>> {
  return repositoryRun('delete-archive', { ...input }, async (run) => {
    const step = await run.step(
      'delete',
      () =>
        borg.deleteArchiveStep({
          runId: run.runId,
          repositoryId: input.repositoryId,
          archive: input.archive,
        }),
      { repositoryId: input.repositoryId },
    );
    if (input.compact ?? true) {
      await run.step(
        'compact',
        () => borg.compactRepositoryStep({ runId: run.runId, repositoryId: input.repositoryId }),
        { isSkippable: true, repositoryId: input.repositoryId },
      );
    }
    await refresh(run, input.repositoryId);
    const existed = 'value' in step ? step.value.existed : undefined;
    return { status: 'succeeded', stats: { archive: input.archive, existed } };
  });
}
