import type { Config } from '../../core/config';
import type { RunRow } from '../../core/db/schema';

/** Where the Temporal UI shows a run's history; without a run id, the workflow's latest run. */
export function temporalHistoryUrl(config: Config, workflowId: string, runId: string | null) {
  const base = `${config.temporalUiUrl}/namespaces/${encodeURIComponent(config.temporalNamespace)}/workflows/${encodeURIComponent(workflowId)}`;

  return runId ? `${base}/${encodeURIComponent(runId)}/history` : base;
}

/** A start its schedule skipped has no workflow; the schedule's own page tells about it. */
function temporalScheduleUrl(config: Config, scheduleId: string) {
  const namespace = encodeURIComponent(config.temporalNamespace);
  const schedule = encodeURIComponent(scheduleId);
  return `${config.temporalUiUrl}/namespaces/${namespace}/schedules/${schedule}`;
}

/** A `runs` row as the API shows it. */
export function toRunResponse(row: RunRow, config: Config) {
  const skippedScheduleId = (row.input as { skippedScheduleId?: unknown } | null)
    ?.skippedScheduleId;

  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    trigger: row.trigger,
    repositoryId: row.repository_id,
    planId: row.plan_id,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    finishedAt: row.finished_at?.toISOString() ?? null,
    progress: row.progress,
    stats: row.stats,
    error: row.error,
    waitingReason: row.waiting_reason,
    steps: (row.steps ?? []).map((step) => ({
      name: step.name,
      status: step.status,
      startedAt: step.startedAt,
      finishedAt: step.finishedAt ?? null,
    })),
    retryOf: row.retry_of,
    retriedBy: row.retried_by,
    temporal: {
      workflowId: row.id,
      runId: row.temporal_run_id,
      url:
        typeof skippedScheduleId === 'string'
          ? temporalScheduleUrl(config, skippedScheduleId)
          : temporalHistoryUrl(config, row.id, row.temporal_run_id),
    },
  };
}

export type RunResponse = ReturnType<typeof toRunResponse>;
