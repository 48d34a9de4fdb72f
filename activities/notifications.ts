import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { execa } from 'execa';
import { sql } from 'kysely';
import type { NotificationEvent } from '../core/notification-events';
import { archiveGlob } from '../core/archive-names';
import type { Config } from '../core/config';
import type { NotificationChannelRow } from '../core/db/schema';
import { secretContexts } from '../core/secrets/contexts';
import type { ActivityDependencies } from './dependencies';
import {
  renderMissedBackupMessage,
  renderRunMessage,
  renderTestMessage,
  type NotificationMessage,
} from './notification-messages';

/** One message to one channel. Ids only: the URL is read and decrypted here, on the worker. */
export interface SendNotificationRequest {
  channelId: string;
  /** `test` sends the fixed test message of `POST /api/notifications/:id/test`. */
  event: NotificationEvent | 'test';
  runId?: string;
  planId?: string;
  repositoryId?: string;
}

/** Which run or plan an event is about, to match channels limited to some of them. */
export interface NotificationScope {
  /** Most specific first: each channel gets one message, for the first event it subscribed to. */
  events: NotificationEvent[];
  planId?: string;
  repositoryId?: string;
}

export interface ChannelDelivery {
  channelId: string;
  event: NotificationEvent;
}

/** A plan whose newest backup is older than its `missedBackupHours`, claimed for one alert. */
export interface MissedBackup {
  planId: string;
  repositoryId: string;
}

/** Apprise gets this long per message; its own connect and read timeouts are 4 s each. */
export const APPRISE_TIMEOUT_MS = 30_000;
const OUTPUT_TAIL_CHARS = 600;
const MASK = '****';

/**
 * Notifications through the `apprise` CLI: which channels want an event, sending one message,
 * and finding plans that missed their backups.
 */
export function createNotificationActivities(deps: ActivityDependencies) {
  const { db, config, logger, secrets } = deps;

  return {
    async resolveNotificationChannels(scope: NotificationScope): Promise<ChannelDelivery[]> {
      const channels = await db
        .selectFrom('notification_channels')
        .select(['id', 'events', 'repository_ids', 'plan_ids'])
        .where('enabled', '=', true)
        .orderBy('id')
        .execute();

      return channels.flatMap((channel) => {
        if (!isInScope(channel.repository_ids, scope.repositoryId)) return [];
        if (!isInScope(channel.plan_ids, scope.planId)) return [];
        const event = scope.events.find((wanted) => channel.events.includes(wanted));
        return event ? [{ channelId: channel.id, event }] : [];
      });
    },

    async sendNotification(request: SendNotificationRequest): Promise<{ sent: boolean }> {
      const channel = await db
        .selectFrom('notification_channels')
        .selectAll()
        .where('id', '=', request.channelId)
        .executeTakeFirst();
      if (!channel) {
        logger.info({ channelId: request.channelId }, 'notification channel gone: not sent');
        return { sent: false };
      }
      const message = await renderMessage(request, channel);
      const startedAt = Date.now();
      const url = secrets.decrypt(channel.url_secret, secretContexts.notificationUrl(channel.id));

      const failure = await runApprise(url, message, Context.current().cancellationSignal);
      if (failure) {
        const reason = scrubUrl(failure.message, url, channel.url_masked);
        await db
          .updateTable('notification_channels')
          .set({ last_error: reason, last_error_at: new Date() })
          .where('id', '=', channel.id)
          .execute();

        logger.warn(
          { channelId: channel.id, event: request.event, reason },
          'notification not sent',
        );
        throw ApplicationFailure.create({
          message: reason,
          type: failure.isPermanent ? 'NOTIFICATION_REJECTED' : 'NOTIFICATION_FAILED',
          nonRetryable: failure.isPermanent,
        });
      }
      await db
        .updateTable('notification_channels')
        .set({ last_sent_at: new Date(), last_error: null, last_error_at: null })
        .where('id', '=', channel.id)
        .execute();

      logger.info(
        { channelId: channel.id, event: request.event, durationMs: Date.now() - startedAt },
        'notification sent',
      );
      return { sent: true };
    },

    /**
     * Finds plans with `options.missedBackupHours` whose newest backup (a succeeded or warning
     * backup run, or an archive matching the plan's archive names, whichever is newer) is older
     * than that, and marks each as alerted. A plan is claimed again only after a newer backup,
     * so one gap yields one alert however often the check runs.
     */
    async claimMissedBackups(): Promise<MissedBackup[]> {
      const plans = await db
        .selectFrom('plans')
        .select(['id', 'name', 'repository_id', 'archive_name_template'])
        .select(sql<number>`(options->>'missedBackupHours')::float8`.as('hours'))
        .where('enabled', '=', true)
        .where(sql<boolean>`jsonb_typeof(options->'missedBackupHours') = 'number'`)
        .execute();

      const claimed: MissedBackup[] = [];
      for (const plan of plans) {
        if (!(plan.hours > 0)) continue;
        const glob = archiveGlob(plan.archive_name_template, plan.name);
        const lastBackupAt = await newestBackupOf(plan.id, plan.repository_id, glob);
        // A plan that never backed up counts from its creation, so a new plan is not late at once.
        const since = sql<Date>`coalesce(${lastBackupAt}::timestamptz, created_at)`;
        const row = await db
          .updateTable('plans')
          .set({ missed_backup_alerted_at: sql`now()` })
          .where('id', '=', plan.id)
          .where(since, '<', sql<Date>`now() - ${plan.hours} * interval '1 hour'`)
          .where((eb) =>
            eb.or([
              eb('missed_backup_alerted_at', 'is', null),
              eb('missed_backup_alerted_at', '<', since),
            ]),
          )
          .returning(['id', 'repository_id'])
          .executeTakeFirst();

        if (row) claimed.push({ planId: row.id, repositoryId: row.repository_id });
      }
      if (claimed.length > 0)
        logger.info({ planIds: claimed.map((c) => c.planId) }, 'backups missed');

      return claimed;
    },
  };

  async function renderMessage(
    request: SendNotificationRequest,
    channel: NotificationChannelRow,
  ): Promise<NotificationMessage> {
    const base = publicBaseUrl(config);
    if (request.event === 'test') return renderTestMessage(channel.name);
    if (request.event === 'backup.missed') {
      if (!request.planId) throw ApplicationFailure.nonRetryable('no plan given', 'BAD_REQUEST');
      return renderMissedBackupMessage(
        await missedBackupFacts(request.planId),
        `${base}/plans/${request.planId}`,
      );
    }
    if (!request.runId) throw ApplicationFailure.nonRetryable('no run given', 'BAD_REQUEST');
    const run = await db
      .selectFrom('runs')
      .leftJoin('plans', 'plans.id', 'runs.plan_id')
      .leftJoin('repositories', 'repositories.id', 'runs.repository_id')
      .select([
        'runs.id',
        'runs.kind',
        'runs.started_at',
        'runs.finished_at',
        'runs.stats',
        'runs.error',
        'runs.waiting_reason',
        'plans.name as planName',
        'repositories.name as repositoryName',
      ])
      .where('runs.id', '=', request.runId)
      .executeTakeFirst();
    if (!run) {
      throw ApplicationFailure.nonRetryable(`run ${request.runId} not found`, 'RUN_NOT_FOUND');
    }

    return renderRunMessage(
      request.event,
      {
        runId: run.id,
        kind: run.kind,
        planName: run.planName ?? undefined,
        repositoryName: run.repositoryName ?? undefined,
        startedAt: run.started_at,
        finishedAt: run.finished_at,
        stats: run.stats,
        error: run.error,
        waitingReason: run.waiting_reason,
      },
      `${base}/runs/${encodeURIComponent(run.id)}`,
    );
  }

  async function missedBackupFacts(planId: string) {
    const plan = await db
      .selectFrom('plans')
      .innerJoin('repositories', 'repositories.id', 'plans.repository_id')
      .select([
        'plans.name',
        'plans.repository_id',
        'plans.archive_name_template',
        'plans.options',
        'repositories.name as repositoryName',
      ])
      .where('plans.id', '=', planId)
      .executeTakeFirst();
    if (!plan) throw ApplicationFailure.nonRetryable(`plan ${planId} not found`, 'PLAN_DELETED');
    const glob = archiveGlob(plan.archive_name_template, plan.name);

    return {
      planName: plan.name,
      repositoryName: plan.repositoryName,
      thresholdHours: Number(plan.options.missedBackupHours),
      lastBackupAt: await newestBackupOf(planId, plan.repository_id, glob),
    };
  }

  async function newestBackupOf(
    planId: string,
    repositoryId: string,
    glob: string,
  ): Promise<Date | null> {
    const [lastRun, lastArchive] = await Promise.all([
      db
        .selectFrom('runs')
        .select((eb) => eb.fn.max('finished_at').as('at'))
        .where('plan_id', '=', planId)
        .where('kind', '=', 'backup')
        .where('status', 'in', ['succeeded', 'warning'])
        .executeTakeFirst(),
      db
        .selectFrom('archives')
        .select(sql<Date | null>`max(coalesce(finished_at, started_at))`.as('at'))
        .where('repository_id', '=', repositoryId)
        .where(sql<boolean>`name like ${globToLike(glob)}`)
        .executeTakeFirst(),
    ]);
    const times = [lastRun?.at, lastArchive?.at].filter((at): at is Date => at instanceof Date);

    return times.length > 0 ? new Date(Math.max(...times.map((at) => at.getTime()))) : null;
  }
}

/** Where the web UI is reached, for links in messages: derived from HOST and PORT. */
export function publicBaseUrl(config: Pick<Config, 'host' | 'port'>): string {
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return `http://${host}:${config.port}`;
}

/**
 * The arguments of one `apprise` call. The URL is not among them (argv is readable by every
 * local user through /proc): it sits in the config file, readable by this user only.
 */
export function appriseArguments(configFile: string, message: NotificationMessage): string[] {
  return [
    '-vv',
    '--config',
    configFile,
    '--notification-type',
    message.type,
    '--title',
    message.title,
    '--body',
    message.body,
  ];
}

/** Runs `apprise` once; returns why it failed, or undefined when the message went out. */
async function runApprise(
  url: string,
  message: NotificationMessage,
  signal: AbortSignal,
): Promise<{ message: string; isPermanent: boolean } | undefined> {
  // mkdtemp creates the directory 0700; the file inside is 0600 and both go in `finally`.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'borgflow-apprise-'));
  try {
    const configFile = path.join(dir, 'apprise.yml');
    // JSON strings are valid YAML scalars: no quoting rules of our own to get wrong.
    await writeFile(configFile, `urls:\n  - ${JSON.stringify(url)}\n`, { mode: 0o600 });

    const result = await execa('apprise', appriseArguments(configFile, message), {
      extendEnv: false,
      // HOME points at the private directory so no user-level Apprise config is picked up.
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: dir },
      timeout: APPRISE_TIMEOUT_MS,
      cancelSignal: signal,
      all: true,
      reject: false,
      stdin: 'ignore',
    });
    if (result.exitCode === 0) return undefined;

    if (result.timedOut) {
      return {
        message: `apprise gave no answer within ${APPRISE_TIMEOUT_MS / 1000} s`,
        isPermanent: false,
      };
    }
    const problems = appriseProblems(result.all ?? '');
    // A URL Apprise cannot parse leaves it with no service at all; resending cannot help.
    const isPermanent = /Unparseable URL|must specify at least one server URL/.test(problems);
    const what = isPermanent ? 'apprise does not understand the URL' : 'apprise could not deliver';
    return {
      message: `${what} (exit status ${result.exitCode ?? result.signal}): ${problems}`,
      isPermanent,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Apprise's warnings and errors without timestamps or the usage text it prints after them. */
function appriseProblems(output: string): string {
  const lines = output
    .split('\n')
    .map((line) => /- (?:ERROR|WARNING) - (.*)$/.exec(line)?.[1])
    .filter((line): line is string => line !== undefined);

  return (lines.join('; ') || output.trim()).slice(-OUTPUT_TAIL_CHARS);
}

/**
 * Removes the URL and every part of it that the masked form hides (tokens, passwords, path
 * segments) from text that may be shown or stored, such as Apprise's own output.
 */
export function scrubUrl(text: string, url: string, maskedUrl: string): string {
  let scrubbed = text.split(url).join(maskedUrl);
  const parts = url
    .split(/[:/@?&=#]+/)
    .slice(1)
    .filter((part) => part.length >= 4 && !maskedUrl.includes(part))
    .sort((a, b) => b.length - a.length);
  for (const part of parts) {
    scrubbed = scrubbed.split(part).join(MASK);
    const decoded = safeDecode(part);
    if (decoded !== part && decoded.length >= 4) scrubbed = scrubbed.split(decoded).join(MASK);
  }

  return scrubbed;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function isInScope(allowed: string[] | null, id: string | undefined): boolean {
  return allowed === null || allowed.length === 0 || (id !== undefined && allowed.includes(id));
}

/** The SQL LIKE pattern of an archive glob (`*` only, as `archiveGlob` produces). */
function globToLike(glob: string): string {
  return glob.replace(/[\\%_]/g, (char) => `\\${char}`).replace(/\*/g, '%');
}
