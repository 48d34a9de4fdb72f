import { setTimeout as sleep } from 'node:timers/promises';
import {
  ActivityFailure,
  ApplicationFailure,
  WorkflowFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import type { Config } from '../../core/config';
import { REPOSITORY_ATTRIBUTE } from '../../core/temporal/search-attributes';
import { ApiError, type ApiErrorCode } from '../errors';

/** A workflow the API waits for: short work done on a worker, because the API never runs borg. */
export interface WorkerCall {
  workflowType: string;
  workflowId: string;
  args: unknown[];
  /** How long the caller waits; Temporal also gives up on the workflow after this long. */
  timeoutSeconds: number;
  repositoryId?: string;
  /**
   * Join a run of the same id that is still going (several requests for one archive index). A
   * shared workflow outlives an impatient caller: only the wait ends after `timeoutSeconds`.
   */
  isShared?: boolean;
}

/** A failure the worker reported, with borg's error type when borg was at fault. */
export class WorkerCallError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'WorkerCallError';
  }
}

/**
 * Starts the workflow and waits for its result. A worker-side failure becomes a WorkerCallError
 * carrying the failure's type; no answer in time becomes 503, naming the task queue to check.
 */
export async function callWorker<T>(
  temporal: Client,
  config: Config,
  call: WorkerCall,
): Promise<T> {
  const attributes: SearchAttributePair[] = call.repositoryId
    ? [{ key: REPOSITORY_ATTRIBUTE, value: call.repositoryId }]
    : [];
  const handle: WorkflowHandle = await temporal.workflow.start(call.workflowType, {
    workflowId: call.workflowId,
    taskQueue: config.taskQueue,
    args: call.args,
    workflowExecutionTimeout: call.isShared ? undefined : `${call.timeoutSeconds} seconds`,
    workflowIdConflictPolicy: call.isShared ? 'USE_EXISTING' : undefined,
    typedSearchAttributes: attributes,
  });

  const waited = new AbortController();
  const gaveUp = sleep(call.timeoutSeconds * 1000, 'timeout' as const, { signal: waited.signal });
  try {
    const outcome = await Promise.race([handle.result() as Promise<T>, gaveUp]);
    if (outcome === 'timeout') {
      throw new ApiError(
        'SERVICE_UNAVAILABLE',
        `The worker is still busy with ${call.workflowId}: try again in a minute.`,
      );
    }
    return outcome;
  } catch (error) {
    throw asWorkerCallError(error, config);
  } finally {
    gaveUp.catch(() => undefined);
    waited.abort();
  }
}

function asWorkerCallError(error: unknown, config: Config): Error {
  if (!(error instanceof WorkflowFailedError)) return error as Error;
  const cause = error.cause instanceof ActivityFailure ? error.cause.cause : error.cause;
  if (cause instanceof ApplicationFailure) {
    return new WorkerCallError(cause.type ?? 'FAILED', cause.message);
  }
  if (cause?.name === 'TimeoutFailure' || cause?.name === 'TerminatedFailure') {
    return new ApiError(
      'SERVICE_UNAVAILABLE',
      `No worker finished the work in time: check that a worker polls task queue ${config.taskQueue}.`,
    );
  }
  return new WorkerCallError('FAILED', cause?.message ?? error.message);
}

/**
 * The API answer for a worker-side failure: `codes` picks the status by failure type, anything
 * else is a 400 that names the type, so a person sees what borg said and what to do.
 */
export function toApiError(
  error: unknown,
  codes: Partial<Record<string, ApiErrorCode>> = {},
): unknown {
  if (!(error instanceof WorkerCallError)) return error;
  const code = codes[error.type] ?? 'VALIDATION_FAILED';

  return new ApiError(code, error.message, { borgError: error.type });
}
