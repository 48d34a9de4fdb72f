import { ApplicationFailure, type SearchAttributePair } from '@temporalio/common';
import {
  ActivityFailure,
  CancellationScope,
  condition,
  defineQuery,
  defineUpdate,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { RunStep } from '../core/db/schema';
import {
  DEFAULT_OPERATOR_WAIT_SECONDS,
  type OperatorDecision,
  type RunError,
  type RunInputBase,
  type RunKind,
  type RunStatus,
} from '../core/runs';
import {
  KIND_ATTRIBUTE,
  PLAN_ATTRIBUTE,
  REPOSITORY_ATTRIBUTE,
  SCHEDULED_BY_ATTRIBUTE,
  TRIGGER_ATTRIBUTE,
} from '../core/temporal/search-attributes';
import { finishEvents, startNotification, type NotifyRunInput } from './notify-run';
import { lockGrantedSignal, lockReleasedSignal, repositoryLockWorkflowId } from './repository-lock';

/** An operator's answer to a run that waits after a failed step. */
export const operatorDecisionUpdate = defineUpdate<
  { decision: OperatorDecision },
  [{ decision: OperatorDecision }]
>('operatorDecision');

export interface RunState {
  status: RunStatus;
  waitingReason?: string;
  steps: RunStep[];
  /** What the operator may answer now; empty unless waiting after a failed step. */
  allowedDecisions: OperatorDecision[];
}

export const runStateQuery = defineQuery<RunState>('runState');

/** Runs that began before skipped schedule starts were recorded end without recording them. */
const SKIPPED_STARTS_PATCH = 'record-skipped-schedule-starts';

const records = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20 },
});
const lockActivities = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumInterval: '30 seconds', maximumAttempts: 20 },
});

export interface RunTarget {
  kind: RunKind;
  repositoryId?: string;
  planId?: string;
}

/**
 * What every run does around its own steps: mirror its state into PostgreSQL, take turns on the
 * repository, wait for an operator after a failed step, and record how it ended.
 */
export class RunContext {
  readonly runId = workflowInfo().workflowId;
  private status: RunStatus = 'queued';
  private waitingReason?: string;
  private readonly steps: RunStep[] = [];
  private allowedDecisions: OperatorDecision[] = [];
  private decision?: OperatorDecision;
  private isLockHeld = false;
  private isLockRequested = false;
  private notificationCount = 0;
  private operatorWaitSeconds = DEFAULT_OPERATOR_WAIT_SECONDS;

  constructor(
    private readonly target: RunTarget,
    private readonly input: RunInputBase & Record<string, unknown>,
  ) {
    setHandler(runStateQuery, () => ({
      status: this.status,
      waitingReason: this.waitingReason,
      steps: this.steps,
      allowedDecisions: this.allowedDecisions,
    }));
    setHandler(
      operatorDecisionUpdate,
      ({ decision }) => {
        this.decision = decision;
        return { decision };
      },
      {
        validator: ({ decision }: { decision: OperatorDecision }) => {
          if (!this.allowedDecisions.includes(decision)) {
            throw new Error(`this run does not wait for "${decision}" now`);
          }
        },
      },
    );
    setHandler(lockGrantedSignal, () => {
      this.isLockHeld = true;
    });
  }

  /** Records the start; returns the overlapping backup's id when this run must be skipped. */
  async start(): Promise<string | undefined> {
    const { repositoryId, planId, kind } = this.target;
    const attributes: SearchAttributePair[] = [
      { key: KIND_ATTRIBUTE, value: kind },
      { key: TRIGGER_ATTRIBUTE, value: this.input.trigger },
    ];
    if (repositoryId) attributes.push({ key: REPOSITORY_ATTRIBUTE, value: repositoryId });
    if (planId) attributes.push({ key: PLAN_ATTRIBUTE, value: planId });
    upsertSearchAttributes(attributes);
    const { overlappingRunId, operatorWaitSeconds } = await records.startRunRecord({
      runId: this.runId,
      temporalRunId: workflowInfo().runId,
      kind,
      trigger: this.input.trigger,
      repositoryId,
      planId,
      input: this.input,
      retryOf: this.input.retryOf,
      requestedBy: this.input.requestedBy,
    });
    // The input wins (tests and API callers may set it); otherwise the worker's setting applies.
    // Histories recorded before workers reported it fall back to the default.
    this.operatorWaitSeconds =
      this.input.operatorWaitSeconds ?? operatorWaitSeconds ?? DEFAULT_OPERATOR_WAIT_SECONDS;
    this.status = overlappingRunId ? 'skipped' : 'running';
    if (overlappingRunId) await this.notify(['run.skipped']);

    return overlappingRunId;
  }

  /** Waits for this run's turn on the repository (status `waiting` meanwhile). */
  async acquireRepository(repositoryId: string): Promise<void> {
    if (this.isLockHeld) return;
    this.isLockRequested = true;
    const { holder } = await lockActivities.requestRepositoryLock({
      repositoryId,
      runId: this.runId,
    });
    if (!this.isLockHeld) {
      await this.setStatus('waiting', `waiting for ${holder ?? 'another run'} on this repository`);
      await condition(() => this.isLockHeld);
      await this.setStatus('running', null);
    }
  }

  /** Gives the repository back; safe to call when it was never taken, also while cancelled. */
  async releaseRepository(repositoryId: string): Promise<void> {
    if (!this.isLockRequested) return;
    this.isLockRequested = false;
    this.isLockHeld = false;
    await CancellationScope.nonCancellable(() =>
      getExternalWorkflowHandle(repositoryLockWorkflowId(repositoryId))
        .signal(lockReleasedSignal, { runId: this.runId })
        .catch(() => undefined),
    );
  }

  /**
   * Runs one step. When it fails after its retries, the run waits for an operator: `resume` runs
   * the step again, `skip` (where allowed) goes on without it, `abort` or silence fails the run.
   */
  async step<T>(
    name: string,
    work: () => Promise<T>,
    options: { isSkippable?: boolean; repositoryId?: string } = {},
  ): Promise<{ value: T } | { skipped: true }> {
    for (;;) {
      const step = this.beginStep(name);
      try {
        const value = await work();
        this.endStep(step, 'succeeded');
        return { value };
      } catch (error) {
        if (isCancellation(error)) {
          this.endStep(step, 'canceled');
          throw error;
        }
        this.endStep(step, 'failed');
        const decision = await this.waitForOperator(name, error, options);
        if (decision === 'resume') continue;
        if (decision === 'skip') {
          step.status = 'skipped';
          return { skipped: true };
        }
        throw error;
      }
    }
  }

  markStep(name: string, status: RunStep['status']): void {
    const step = this.beginStep(name);
    this.endStep(step, status);
  }

  async finish(status: RunStatus, stats?: Record<string, unknown>, error?: RunError) {
    this.status = status;
    await CancellationScope.nonCancellable(() =>
      records.finishRunRecord({ runId: this.runId, status, steps: this.steps, stats, error }),
    );

    await this.recordSkippedScheduleStarts();
    await this.notify(finishEvents(this.target.kind, status, stats));
  }

  /** A scheduled run, at its end, records the starts its schedule skipped while it ran. */
  private async recordSkippedScheduleStarts(): Promise<void> {
    const scheduleId = workflowInfo().typedSearchAttributes.get(SCHEDULED_BY_ATTRIBUTE);
    if (!scheduleId || !patched(SKIPPED_STARTS_PATCH)) return;
    const { kind, repositoryId, planId } = this.target;
    await CancellationScope.nonCancellable(() =>
      records
        .recordSkippedScheduleStarts({ scheduleId, runId: this.runId, kind, repositoryId, planId })
        // Only the record of a skip is lost; the run itself ended as it did.
        .catch(() => undefined),
    );
  }

  /** Tells the channels that want these events, without waiting for them (see notifyRun). */
  private async notify(events: NotifyRunInput['events']): Promise<void> {
    this.notificationCount += 1;
    const { repositoryId, planId } = this.target;
    await startNotification(`notify-${this.runId}-${this.notificationCount}`, {
      events,
      runId: this.runId,
      planId,
      repositoryId,
    });
  }

  private beginStep(name: string): RunStep {
    const step: RunStep = { name, status: 'running', startedAt: new Date().toISOString() };
    this.steps.push(step);
    return step;
  }

  private endStep(step: RunStep, status: RunStep['status']) {
    step.status = status;
    step.finishedAt = new Date().toISOString();
  }

  private async waitForOperator(
    stepName: string,
    error: unknown,
    options: { isSkippable?: boolean; repositoryId?: string },
  ): Promise<OperatorDecision> {
    const waitSeconds = this.operatorWaitSeconds;
    if (waitSeconds <= 0) return 'abort';
    // Nobody else should wait on the repository while this run waits on a person.
    if (options.repositoryId) await this.releaseRepository(options.repositoryId);
    this.allowedDecisions = options.isSkippable ? ['resume', 'skip', 'abort'] : ['resume', 'abort'];
    this.decision = undefined;
    const reason = `step "${stepName}" failed: ${toRunError(error).message}`;
    await this.setStatus('waiting', reason);
    await this.notify(['run.waiting']);
    const answered = await condition(() => this.decision !== undefined, waitSeconds * 1000);
    this.allowedDecisions = [];
    const decision = answered ? this.decision! : 'abort';
    if (decision !== 'abort') {
      await this.setStatus('running', null);
      if (options.repositoryId) await this.acquireRepository(options.repositoryId);
    }

    return decision;
  }

  private async setStatus(status: RunStatus, waitingReason?: string | null): Promise<void> {
    this.status = status;
    this.waitingReason = waitingReason ?? undefined;
    await records.updateRunRecord({ runId: this.runId, status, waitingReason, steps: this.steps });
  }
}

/** A failure as a person reads it, with borg's own last lines when there are some. */
export function toRunError(error: unknown, step?: string): RunError {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) {
    const details = cause.details?.[0] as { tail?: string } | undefined;
    return { type: cause.type ?? 'FAILED', message: cause.message, step, tail: details?.tail };
  }
  if (cause instanceof Error) return { type: cause.name, message: cause.message, step };
  return { type: 'FAILED', message: String(cause), step };
}
