import { ApplicationFailure } from '@temporalio/common';
import { secretContexts } from '../core/secrets/contexts';
import type { ActivityDependencies } from './dependencies';

/**
 * What a ping reports, in healthchecks.io's terms (https://healthchecks.io/docs/http_api/): the
 * plan's base URL gets `/start`, nothing (success) or `/<exit status>` (failure) appended.
 */
export type PingKind = 'start' | 'success' | 'failure';

export interface HealthPingRequest {
  planId: string;
  runId: string;
  kind: PingKind;
  /** Failures only: the status in the path; 1 unless a better one is known. */
  exitStatus?: number;
}

export const PING_TIMEOUT_MS = 10_000;

/** The URL one ping goes to: healthchecks-style suffixes on the plan's base URL. */
export function pingUrlFor(baseUrl: string, kind: PingKind, exitStatus = 1): string {
  const base = baseUrl.replace(/\/+$/, '');
  if (kind === 'start') return `${base}/start`;
  if (kind === 'success') return base;

  return `${base}/${Math.min(Math.max(Math.trunc(exitStatus), 1), 255)}`;
}

/** Pings a plan's health-check URL (a dead man's switch outside Borgflow) around its backups. */
export function createHealthPingActivities({ db, secrets, logger }: ActivityDependencies) {
  return {
    async sendHealthPing(request: HealthPingRequest): Promise<{ sent: boolean }> {
      const plan = await db
        .selectFrom('plans')
        .select('ping_url_secret')
        .where('id', '=', request.planId)
        .executeTakeFirst();
      if (!plan?.ping_url_secret) return { sent: false };
      const baseUrl = secrets.decrypt(
        plan.ping_url_secret,
        secretContexts.planPingUrl(request.planId),
      );

      const { planId, runId, kind } = request;
      try {
        const response = await fetch(pingUrlFor(baseUrl, kind, request.exitStatus), {
          method: 'POST',
          body: `borgflow run ${runId}: ${kind}`,
          signal: AbortSignal.timeout(PING_TIMEOUT_MS),
          redirect: 'follow',
        });
        if (!response.ok) throw new Error(`the ping endpoint answered HTTP ${response.status}`);
      } catch (error) {
        // fetch errors name the host at most, never the path that holds the check's token.
        const reason = error instanceof Error ? error.message : String(error);
        logger.warn({ planId, runId, kind, reason }, 'health ping failed');
        throw ApplicationFailure.retryable(
          `health ping "${kind}" failed: ${reason}`,
          'PING_FAILED',
        );
      }

      logger.debug({ planId, runId, kind }, 'health ping sent');
      return { sent: true };
    },
  };
}
