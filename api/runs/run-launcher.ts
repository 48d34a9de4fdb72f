import { createHash } from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import type { Kysely } from 'kysely';
import { ulid } from 'ulid';
import type { Config } from '../../core/config';
import type { Database, RunRow } from '../../core/db/schema';
import type { Logger } from '../../core/logger';
import type {
  BackupRunInput,
  CheckRunInput,
  CompactRunInput,
  DeleteArchiveRunInput,
  PruneRunInput,
  RestoreRunInput,
  RotateKeyRunInput,
  RotateSshKeyRunInput,
  RunKind,
  RunStatus,
} from '../../core/runs';
import {
  KIND_ATTRIBUTE,
  PLAN_ATTRIBUTE,
  REPOSITORY_ATTRIBUTE,
  TRIGGER_ATTRIBUTE,
} from '../../core/temporal/search-attributes';
import { ApiError } from '../errors';
import { toRunResponse } from './run-response';

/** The workflow input of each kind of run the API can start; never a secret. */
export interface LaunchableInputs {
  backup: BackupRunInput;
  check: CheckRunInput;
  prune: PruneRunInput;
  compact: CompactRunInput;
  restore: RestoreRunInput;
  'delete-archive': DeleteArchiveRunInput;
  'rotate-key': RotateKeyRunInput;
  'rotate-ssh-key': RotateSshKeyRunInput;
}
export type LaunchableKind = keyof LaunchableInputs;

const WORKFLOW_TYPES: Record<LaunchableKind, string> = {
  backup: 'backupPlan',
  check: 'checkRepository',
  prune: 'pruneRepository',
  compact: 'compactRepository',
  restore: 'restoreArchive',
  'delete-archive': 'deleteRepositoryArchive',
  'rotate-key': 'rotateRepositoryKey',
  'rotate-ssh-key': 'rotateSshKey',
};

export function isLaunchableKind(kind: string): kind is LaunchableKind {
  return Object.hasOwn(WORKFLOW_TYPES, kind);
}

/** Who asked for a run; the username goes into the workflow input, the id into the run's key. */
export interface Requester {
  userId: string;
  username: string;
}

export interface RunRequest<K extends LaunchableKind = LaunchableKind> {
  kind: K;
  input: LaunchableInputs[K];
  requestedBy: Requester;
  /** The client's `Idempotency-Key`: the same key from the same user yields the same run. */
  idempotencyKey?: string;
  /** A workflow id chosen beforehand (retries claim theirs before starting). */
  workflowId?: string;
}

export interface LaunchedRun {
  run: RunRow;
  /** True when an earlier request with the same idempotency key had started it. */
  isExisting: boolean;
}

interface LauncherDependencies {
  db: Kysely<Database>;
  temporal: Client;
  config: Config;
  logger: Logger;
}

const UNIQUE_VIOLATION = '23505';
const ONE_ACTIVE_BACKUP_INDEX = 'runs_one_active_backup_per_plan';
const ACTIVE_STATUSES: RunStatus[] = ['queued', 'running', 'waiting'];
/** A queued row younger than this may belong to a start still in flight: never repair it. */
const QUEUED_GRACE_MS = 60_000;

/**
 * Starts runs as Temporal workflows. The `runs` row is written first, as `queued`: for backups
 * a unique index then makes a second concurrent run of the same plan impossible, whoever starts it.
 */
export function createRunLauncher(deps: LauncherDependencies) {
  const { db, temporal, config, logger } = deps;

  async function startRun<K extends LaunchableKind>(request: RunRequest<K>): Promise<LaunchedRun> {
    const subject = await subjectOf(request.kind, request.input);
    const workflowId = request.workflowId ?? runWorkflowId(request, subject.subjectId);
    if (request.idempotencyKey) {
      const existing = await findRun(db, workflowId);
      if (existing) return { run: existing, isExisting: true };
    }
    const input = { ...request.input, requestedBy: request.requestedBy.username };

    const inserted = await insertQueuedRow(workflowId, request.kind, input, subject);
    if (!inserted) return { run: (await findRun(db, workflowId))!, isExisting: true };
    try {
      const handle = await temporal.workflow.start(WORKFLOW_TYPES[request.kind], {
        workflowId,
        taskQueue: config.taskQueue,
        args: [input],
        // A keyed run must never start twice, not even after the first one closed.
        workflowIdReusePolicy: request.idempotencyKey ? 'REJECT_DUPLICATE' : undefined,
        typedSearchAttributes: searchAttributes(request.kind, input.trigger, subject),
        memo: { summary: summaryOf(request.kind, subject, request.requestedBy.username) },
      });
      await db
        .updateTable('runs')
        .set({ temporal_run_id: handle.firstExecutionRunId })
        .where('id', '=', workflowId)
        .where('temporal_run_id', 'is', null)
        .execute();
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        return { run: (await findRun(db, workflowId))!, isExisting: true };
      }
      await markStartFailed(workflowId, error);
      throw new ApiError(
        'SERVICE_UNAVAILABLE',
        `Temporal did not accept run ${workflowId}: ${errorMessage(error)}`,
      );
    }

    logger.info({ runId: workflowId, kind: request.kind }, 'run started');
    return { run: (await findRun(db, workflowId))!, isExisting: false };
  }

  async function insertQueuedRow(
    workflowId: string,
    kind: LaunchableKind,
    input: LaunchableInputs[LaunchableKind] & { requestedBy: string },
    subject: RunSubject,
    hasRepaired = false,
  ): Promise<boolean> {
    try {
      const result = await db
        .insertInto('runs')
        .values({
          id: workflowId,
          kind,
          status: 'queued',
          trigger: input.trigger,
          repository_id: subject.repositoryId,
          plan_id: subject.planId ?? null,
          input: { ...input },
          retry_of: input.retryOf ?? null,
          created_by: input.requestedBy,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();

      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    } catch (error) {
      if (!isActiveBackupConflict(error) || !subject.planId) throw error;
      const active = await activeBackupOf(db, subject.planId);
      if (active && !hasRepaired && (await repairIfClosed(active))) {
        return insertQueuedRow(workflowId, kind, input, subject, true);
      }
      const activeId = active?.id ?? 'another run';
      throw new ApiError('CONFLICT', `Plan ${subject.planId} is already running as ${activeId}.`, {
        activeRunId: active?.id ?? null,
        ...(active ? { run: toRunResponse(active, config) } : {}),
      });
    }
  }

  /** A row left active by a workflow that in fact ended: record Temporal's verdict on it. */
  async function repairIfClosed(row: RunRow): Promise<boolean> {
    const temporalStatus = await temporal.workflow
      .getHandle(row.id)
      .describe()
      .then((description) => description.status.name)
      .catch((error: unknown) => {
        if (error instanceof WorkflowNotFoundError) return 'NOT_FOUND' as const;
        throw error;
      });
    if (temporalStatus === 'RUNNING') return false;
    const isYoungQueued =
      row.status === 'queued' && Date.now() - row.created_at.getTime() < QUEUED_GRACE_MS;
    if (temporalStatus === 'NOT_FOUND' && isYoungQueued) return false;

    const status: RunStatus =
      temporalStatus === 'COMPLETED'
        ? 'succeeded'
        : temporalStatus === 'CANCELLED'
          ? 'canceled'
          : 'failed';
    await db
      .updateTable('runs')
      .set({
        status,
        finished_at: new Date(),
        waiting_reason: null,
        error:
          status === 'failed'
            ? {
                type: 'RECORD_REPAIRED',
                message: `The run ended in Temporal (${temporalStatus}) without recording its end.`,
              }
            : null,
      })
      .where('id', '=', row.id)
      .where('status', 'in', ACTIVE_STATUSES)
      .execute();
    logger.warn({ runId: row.id, temporalStatus }, 'stale active run repaired');
    return true;
  }

  async function markStartFailed(workflowId: string, error: unknown): Promise<void> {
    await db
      .updateTable('runs')
      .set({
        status: 'failed',
        finished_at: new Date(),
        error: { type: 'START_FAILED', message: errorMessage(error) },
      })
      .where('id', '=', workflowId)
      .execute();
    logger.warn({ runId: workflowId, err: error }, 'run start failed');
  }

  /**
   * Starts a finished failed or canceled run again with the same input. The new run's id is
   * claimed on the old row first, so two retries of one run cannot both start.
   */
  async function retryRun(runId: string, requestedBy: Requester): Promise<LaunchedRun> {
    const previous = await findRun(db, runId);
    if (!previous) throw new ApiError('NOT_FOUND', `No run with id ${runId}.`);
    if (previous.status !== 'failed' && previous.status !== 'canceled') {
      throw new ApiError(
        'CONFLICT',
        `Run ${runId} is ${previous.status}; only failed or canceled runs can be retried.`,
      );
    }
    if (previous.retried_by) {
      throw new ApiError('CONFLICT', `Run ${runId} was already retried as ${previous.retried_by}.`);
    }
    if (!isLaunchableKind(previous.kind)) {
      throw new ApiError('CONFLICT', `Runs of kind ${previous.kind} cannot be retried here.`);
    }
    const kind = previous.kind;
    const input = {
      ...(previous.input as unknown as LaunchableInputs[typeof kind]),
      trigger: 'retry' as const,
      retryOf: runId,
    };
    const subject = await subjectOf(kind, input);
    const workflowId = `${kind}-${subject.subjectId}-${ulid()}`;
    const claimed = await db
      .updateTable('runs')
      .set({ retried_by: workflowId })
      .where('id', '=', runId)
      .where('retried_by', 'is', null)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 0) {
      throw new ApiError('CONFLICT', `Run ${runId} is being retried already.`);
    }

    try {
      return await startRun({ kind, input, requestedBy, workflowId });
    } catch (error) {
      await db
        .updateTable('runs')
        .set({ retried_by: null })
        .where('id', '=', runId)
        .where('retried_by', '=', workflowId)
        .execute();
      throw error;
    }
  }

  async function subjectOf(
    kind: LaunchableKind,
    input: LaunchableInputs[LaunchableKind],
  ): Promise<RunSubject> {
    if (kind !== 'backup') {
      const { repositoryId } = input as { repositoryId: string };
      return { subjectId: repositoryId, repositoryId };
    }
    const { planId } = input as BackupRunInput;
    const plan = await db
      .selectFrom('plans')
      .select(['id', 'repository_id'])
      .where('id', '=', planId)
      .executeTakeFirst();

    if (!plan) throw new ApiError('NOT_FOUND', `No plan with id ${planId}.`);
    return { subjectId: plan.id, repositoryId: plan.repository_id, planId: plan.id };
  }

  return { startRun, retryRun };
}

export type RunLauncher = ReturnType<typeof createRunLauncher>;

interface RunSubject {
  /** What the workflow id names: the plan of a backup, the repository of anything else. */
  subjectId: string;
  repositoryId: string;
  planId?: string;
}

/**
 * A business id. With an idempotency key it is derived from the user and the key, so a repeated
 * request finds the run the first one started; the hash keeps the key itself out of Temporal.
 */
function runWorkflowId(request: RunRequest, subjectId: string): string {
  if (!request.idempotencyKey) return `${request.kind}-${subjectId}-${ulid()}`;
  const digest = createHash('sha256')
    .update(`${request.requestedBy.userId}:${request.idempotencyKey}`)
    .digest('hex');

  return `${request.kind}-${subjectId}-k${digest.slice(0, 20)}`;
}

export async function findRun(db: Kysely<Database>, runId: string): Promise<RunRow | undefined> {
  return db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst();
}

async function activeBackupOf(db: Kysely<Database>, planId: string): Promise<RunRow | undefined> {
  return db
    .selectFrom('runs')
    .selectAll()
    .where('plan_id', '=', planId)
    .where('kind', '=', 'backup')
    .where('status', 'in', ACTIVE_STATUSES)
    .executeTakeFirst();
}

function isActiveBackupConflict(error: unknown): boolean {
  const { code, constraint_name } = error as { code?: string; constraint_name?: string };
  return code === UNIQUE_VIOLATION && constraint_name === ONE_ACTIVE_BACKUP_INDEX;
}

function searchAttributes(kind: RunKind, trigger: string, subject: RunSubject) {
  const pairs: SearchAttributePair[] = [
    { key: KIND_ATTRIBUTE, value: kind },
    { key: TRIGGER_ATTRIBUTE, value: trigger },
    { key: REPOSITORY_ATTRIBUTE, value: subject.repositoryId },
  ];
  if (subject.planId) pairs.push({ key: PLAN_ATTRIBUTE, value: subject.planId });
  return pairs;
}

function summaryOf(kind: RunKind, subject: RunSubject, username: string): string {
  const target = subject.planId ? `plan ${subject.planId}` : `repository ${subject.repositoryId}`;
  return `${kind} of ${target}, requested by ${username}`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
