import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { execa } from 'execa';
import type { PlanHook } from '../core/runs';
import type { BorgLogSink } from './borg';

export interface PlanHookRequest {
  runId: string;
  planName: string;
  hook: PlanHook;
  /** After-hooks only: how the backup ended. */
  outcome?: 'success' | 'failure';
}

const DEFAULT_HOOK_TIMEOUT_SECONDS = 300;
const HOOK_OUTPUT_TAIL_BYTES = 4096;
/** Temporal delivers a cancellation only with a heartbeat's answer, so a hook heartbeats. */
const HEARTBEAT_INTERVAL_MS = 5_000;
/** Time a hook gets to exit on SIGTERM before its whole process group is killed. */
const TERMINATE_GRACE_MS = 5_000;

export function hookTimeoutSeconds(hook: PlanHook): number {
  return hook.timeoutSeconds ?? DEFAULT_HOOK_TIMEOUT_SECONDS;
}

/**
 * Runs one hook command through `/bin/sh -c` on this worker; its output goes to the run's log.
 * The shell leads its own process group, so a timeout or a cancelled run stops everything the
 * hook started, not just the shell.
 */
export async function runPlanHook(
  log: BorgLogSink,
  request: PlanHookRequest,
): Promise<{ exitCode: number }> {
  const { hook, runId } = request;
  const context = Context.current();
  log.write(`$ hook ${hook.name} (${hook.when})\n`);

  const child = execa('/bin/sh', ['-c', hook.command], {
    // The worker's environment holds database credentials: hooks get a clean one.
    extendEnv: false,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LANG: 'C.UTF-8',
      BORGFLOW_RUN_ID: runId,
      BORGFLOW_PLAN: request.planName,
      ...(request.outcome ? { BORGFLOW_BACKUP_OUTCOME: request.outcome } : {}),
    },
    cwd: '/',
    all: true,
    reject: false,
    detached: true,
    stdin: 'ignore',
  });
  let stopReason: 'timeout' | 'cancelled' | undefined;
  const stop = (reason: 'timeout' | 'cancelled') => {
    stopReason ??= reason;
    signalGroup(child.pid, 'SIGTERM');
    setTimeout(() => signalGroup(child.pid, 'SIGKILL'), TERMINATE_GRACE_MS).unref();
  };
  const timer = setTimeout(() => stop('timeout'), hookTimeoutSeconds(hook) * 1000);
  const heartbeat = setInterval(
    () => context.heartbeat({ hook: hook.name }),
    HEARTBEAT_INTERVAL_MS,
  );
  const onCancel = () => stop('cancelled');
  context.cancellationSignal.addEventListener('abort', onCancel);
  const result = await child.finally(() => {
    clearTimeout(timer);
    clearInterval(heartbeat);
    context.cancellationSignal.removeEventListener('abort', onCancel);
  });

  if (result.all) log.write(`${result.all}\n`);
  await log.flush();
  if (stopReason === 'cancelled') throw context.cancellationSignal.reason ?? new Error('cancelled');
  if (result.exitCode === 0 && !stopReason) return { exitCode: 0 };

  const reason =
    stopReason === 'timeout'
      ? `timed out after ${hookTimeoutSeconds(hook)} s`
      : `exited with status ${result.exitCode ?? result.signal}`;
  throw ApplicationFailure.create({
    message: `hook "${hook.name}" ${reason}`,
    type: 'HOOK_FAILED',
    nonRetryable: true,
    details: [{ tail: (result.all ?? '').slice(-HOOK_OUTPUT_TAIL_BYTES) }],
  });
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}
