import { patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { RestoreRunInput } from '../core/runs';
import { BORG_ACTIVITY } from './activity-options';
import { repositoryRun } from './maintenance-runs';

const borg = proxyActivities<Activities>(BORG_ACTIVITY);
/** Runs started before this checked the target inside the extract step, on every attempt. */
const PREPARE_TARGET_PATCH = 'restore-prepares-target-once';

/** Extracts selected paths of an archive into a target under RESTORE_ROOTS. */
export async function restoreArchive(input: RestoreRunInput): Promise<Record<string, unknown>> {
  return repositoryRun('restore', { ...input }, async (run) => {
    // Checked once: a resumed or retried extract finds this run's partial output in the target,
    // which must not count as someone else's files.
    const isTargetPrepared = patched(PREPARE_TARGET_PATCH);
    if (isTargetPrepared) {
      const prepared = await run.step('prepare target', () =>
        borg.prepareRestoreTarget({ target: input.target }),
      );
      if (!('value' in prepared)) return { status: 'skipped', stats: {} };
    }
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
          isTargetPrepared,
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
