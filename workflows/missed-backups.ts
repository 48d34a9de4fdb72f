import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { QUICK_ACTIVITY } from './activity-options';
import { startNotification } from './notify-run';

const quick = proxyActivities<Activities>(QUICK_ACTIVITY);

/**
 * Alerts `backup.missed` for every plan whose newest backup is older than its
 * `options.missedBackupHours`. The activity claims each late plan once per gap, so running this
 * every few minutes (the `borgflow-missed-backups` schedule) does not repeat an alert.
 */
export async function checkMissedBackups(): Promise<{ planIds: string[] }> {
  const missed = await quick.claimMissedBackups();

  // Each alert is its own workflow, so a slow channel never delays the next check.
  const checkId = workflowInfo().workflowId;
  for (const { planId, repositoryId } of missed) {
    await startNotification(`notify-missed-${planId}-${checkId}`, {
      events: ['backup.missed'],
      planId,
      repositoryId,
    });
  }

  return { planIds: missed.map((plan) => plan.planId) };
}
