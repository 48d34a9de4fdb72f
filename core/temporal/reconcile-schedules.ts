import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { Logger } from '../logger';
import {
  maintenanceScheduleId,
  maintenanceScheduleSourceOf,
  syncMaintenanceSchedule,
} from './maintenance-schedules';
import { planScheduleId, planScheduleSourceOf, syncPlanSchedule } from './plan-schedules';
import type { ScheduleSettings } from './schedule-sync';

export interface ReconcileDependencies {
  db: Kysely<Database>;
  temporal: Client;
  settings: ScheduleSettings;
  logger: Logger;
}

export interface ReconcileOutcome {
  synced: string[];
  /** Temporal schedule ids that could not be synced; the next change to their row retries. */
  failed: string[];
}

/** Start-up does not wait longer than this for Temporal; the API serves meanwhile anyway. */
export const RECONCILE_DEADLINE_MS = 60_000;
const FAILED_IDS_LOGGED = 10;

/**
 * Syncs every plan's and maintenance schedule's Temporal Schedule from PostgreSQL, so one lost or
 * edited in Temporal (a restored Temporal database, a click in its UI) is put back. Never throws:
 * an unreachable Temporal or database is logged and the API keeps serving.
 */
export async function reconcileSchedules(
  { db, temporal, settings, logger }: ReconcileDependencies,
  deadlineMs = RECONCILE_DEADLINE_MS,
): Promise<ReconcileOutcome> {
  const startedAt = Date.now();
  const outcome: ReconcileOutcome = { synced: [], failed: [] };
  let firstError: unknown;
  const attempt = async (scheduleId: string, sync: () => Promise<void>) => {
    try {
      await temporal.withDeadline(startedAt + deadlineMs, sync);
      outcome.synced.push(scheduleId);
    } catch (error) {
      firstError ??= error;
      outcome.failed.push(scheduleId);
    }
  };

  try {
    const plans = await db.selectFrom('plans').selectAll().execute();
    const maintenance = await db.selectFrom('maintenance_schedules').selectAll().execute();

    for (const plan of plans) {
      await attempt(planScheduleId(plan.id), () =>
        syncPlanSchedule(temporal, settings, planScheduleSourceOf(plan)),
      );
    }
    for (const row of maintenance) {
      await attempt(maintenanceScheduleId(row.id), () =>
        syncMaintenanceSchedule(temporal, settings, maintenanceScheduleSourceOf(row)),
      );
    }
  } catch (error) {
    logger.warn({ err: error }, 'schedules not reconciled: database query failed');
    return outcome;
  }

  const durationMs = Date.now() - startedAt;
  if (outcome.failed.length > 0) {
    logger.warn(
      {
        err: firstError,
        failed: outcome.failed.length,
        scheduleIds: outcome.failed.slice(0, FAILED_IDS_LOGGED),
        synced: outcome.synced.length,
        durationMs,
      },
      'schedules not reconciled with temporal',
    );
    return outcome;
  }
  logger.info({ synced: outcome.synced.length, durationMs }, 'schedules reconciled');
  return outcome;
}
