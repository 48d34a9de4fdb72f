import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { RestoreRunInput } from '../core/runs';
import { BORG_ACTIVITY } from './activity-options';
import { repositoryRun } from './maintenance-runs';

const borg = proxyActivities<Activities>(BORG_ACTIVITY);

/** Extracts selected paths of an archive into a target under RESTORE_ROOTS. */
export async function restoreArchive(input: RestoreRunInput): Promise<Record<string, unknown>> {
  return repositoryRun('restore', { ...input }, async (run) => {
    const step = await run.step(
      'extract',
      () =>
        borg.restoreArchiveStep({
          runId: run.runId,
          repositoryId: input.repositoryId,
          archive: input.archive,
          paths: input.paths,
          target: input.target,
          stripComponents: input.stripComponents,
        }),
      { repositoryId: input.repositoryId },
    );
    if (!('value' in step)) return { status: 'skipped', stats: {} };
    const { status, target, warnings } = step.value;

    return {
      status: status === 'warning' ? 'warning' : 'succeeded',
      stats: { archive: input.archive, target, paths: input.paths, warnings },
    };
  });
}
