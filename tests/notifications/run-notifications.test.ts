import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatBytes } from '../../activities/notification-messages';
import { maskNotificationUrl } from '../../api/routes/notifications';
import type { NotificationEvent } from '../../core/notification-events';
import { createLogger } from '../../core/logger';
import { secretContexts } from '../../core/secrets/contexts';
import { freePorts } from '../helpers/ports';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { waitForOperatorWait } from '../helpers/runs';
import {
  createWorkflowHarness,
  runId,
  startLoggingWorker,
  workflowsLeaking,
  type WorkflowHarness,
} from '../helpers/temporal-worker';

const ALL_EVENTS: NotificationEvent[] = [
  'run.succeeded',
  'run.warning',
  'run.failed',
  'run.canceled',
  'run.skipped',
  'run.waiting',
  'check.problems',
];

describe('run notifications', () => {
  let harness: WorkflowHarness;
  let receiver: Receiver;
  let worker: { close(): Promise<void> };
  let sourceDir: string;
  const logLines: string[] = [];
  // Part of every channel URL: it must never show up in history, argv or logs.
  const secretToken = `tok-${randomBytes(8).toString('hex')}`;
  const channelUrls: string[] = [];

  beforeAll(async () => {
    harness = await createWorkflowHarness();
    receiver = await startReceiver();
    const logger = createLogger({
      level: 'debug',
      name: 'notifications-test-worker',
      destination: { write: (line: string) => void logLines.push(line) },
    });
    worker = await startLoggingWorker(harness, logger);
    sourceDir = path.join(harness.dataDir, 'source');
    await mkdir(sourceDir, { recursive: true });
    await writeFile(path.join(sourceDir, 'notes.txt'), 'remember the milk\n');
  });

  afterAll(async () => {
    await worker.close();
    await receiver.close();
    await harness.close();
  });

  async function createChannel(
    url: string,
    scope: { planIds?: string[]; repositoryIds?: string[] },
    events = ALL_EVENTS,
  ): Promise<string> {
    const id = ulid();
    channelUrls.push(url);
    await harness.database.db
      .insertInto('notification_channels')
      .values({
        id,
        name: `channel-${id.slice(-6)}`,
        url_secret: harness.secrets.encrypt(url, secretContexts.notificationUrl(id)),
        url_masked: maskNotificationUrl(url),
        events,
        repository_ids: scope.repositoryIds ?? null,
        plan_ids: scope.planIds ?? null,
      })
      .execute();
    return id;
  }

  async function setPingUrl(planId: string, url: string) {
    await harness.database.db
      .updateTable('plans')
      .set({ ping_url_secret: harness.secrets.encrypt(url, secretContexts.planPingUrl(planId)) })
      .where('id', '=', planId)
      .execute();
  }

  async function planWithChannel(fields: { hooks?: unknown[]; checkAfterBackup?: boolean } = {}) {
    const repository = await harness.createRepository();
    const planId = await harness.createPlan({
      repositoryId: repository.id,
      sources: [sourceDir],
      ...fields,
    });
    const hookPath = `/hook/${secretToken}/${planId}`;
    await createChannel(receiver.appriseUrl(hookPath), { planIds: [planId] });
    return { repository, planId, hookPath };
  }

  function startBackup(planId: string, operatorWaitSeconds = 0) {
    return harness.client.workflow.start('backupPlan', {
      taskQueue: harness.taskQueue,
      workflowId: runId('backup', planId),
      args: [{ planId, trigger: 'manual', operatorWaitSeconds }],
    });
  }

  async function messagesAt(hookPath: string, count = 1) {
    await receiver.waitFor(() => receiver.messages(hookPath).length >= count);
    return receiver.messages(hookPath);
  }

  async function runRow(id: string) {
    return harness.database.db
      .selectFrom('runs')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  }

  it('reports a successful backup with names, sizes and the run link, and pings start and success', async () => {
    const { repository, planId, hookPath } = await planWithChannel();
    const pingPath = `/ping/${secretToken}-${planId}`;
    await setPingUrl(planId, `http://127.0.0.1:${receiver.port}${pingPath}`);

    const handle = await startBackup(planId);
    await handle.result();

    const [message] = await messagesAt(hookPath);
    const row = await runRow(handle.workflowId);
    const plan = await harness.database.db
      .selectFrom('plans')
      .select('name')
      .where('id', '=', planId)
      .executeTakeFirstOrThrow();
    const stats = row.stats as { originalBytes: number; deduplicatedBytes: number; files: number };
    expect(message.type).toBe('success');
    expect(message.title).toBe(`Backup succeeded: ${plan.name}`);
    expect(message.message).toContain(
      `plan "${plan.name}" to repository "repository-${repository.id}" succeeded`,
    );
    expect(message.message).toContain(
      `Size: ${formatBytes(stats.originalBytes)} original, ${formatBytes(stats.deduplicatedBytes)} deduplicated`,
    );
    expect(message.message).toContain(`Files: ${stats.files}`);
    expect(message.message).toContain(
      `Run: http://127.0.0.1:${harness.config.port}/runs/${handle.workflowId}`,
    );
    await receiver.waitFor(
      (requests) => requests.filter((r) => r.path.startsWith(pingPath)).length >= 2,
    );
    const pings = receiver.requests.filter((r) => r.path.startsWith(pingPath)).map((r) => r.path);
    expect(pings).toEqual([`${pingPath}/start`, pingPath]);
  });

  it('reports a failed before-hook with its error sentence and pings the exit status', async () => {
    const { planId, hookPath } = await planWithChannel({
      hooks: [{ name: 'mount disk', when: 'before', command: 'exit 4', onFailure: 'fail' }],
    });
    const pingPath = `/ping/${secretToken}-${planId}`;
    await setPingUrl(planId, `http://127.0.0.1:${receiver.port}${pingPath}`);

    const handle = await startBackup(planId);
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);

    const [message] = await messagesAt(hookPath);
    expect(message.type).toBe('failure');
    expect(message.message).toContain('Error: hook "mount disk" exited with status 4');
    await receiver.waitFor((requests) => requests.some((r) => r.path.startsWith(pingPath)));
    const pings = receiver.requests.filter((r) => r.path.startsWith(pingPath)).map((r) => r.path);
    expect(pings).toEqual([`${pingPath}/1`]);
  });

  it('reports a run skipped by a before-hook in skip mode', async () => {
    const { planId, hookPath } = await planWithChannel({
      hooks: [{ name: 'on mains?', when: 'before', command: 'exit 1', onFailure: 'skip' }],
    });

    const handle = await startBackup(planId);
    await handle.result();

    const [message] = await messagesAt(hookPath);
    expect(message.title).toMatch(/^Backup was skipped: /);
    expect(message.message).toContain('Reason: a before-hook asked to skip');
  });

  it('reports a run waiting for an operator, then its cancellation', async () => {
    const { repository, planId, hookPath } = await planWithChannel();
    await harness.database.db
      .updateTable('repositories')
      .set({
        passphrase_secret: harness.secrets.encrypt(
          'not-the-passphrase',
          secretContexts.repositoryPassphrase(repository.id),
        ),
      })
      .where('id', '=', repository.id)
      .execute();

    const handle = await startBackup(planId, 600);
    await waitForOperatorWait(harness.database.db, handle.workflowId);
    const [waiting] = await messagesAt(hookPath);
    await handle.cancel();
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);

    const [, canceled] = await messagesAt(hookPath, 2);
    expect(waiting.title).toMatch(/^Backup is waiting for an operator: /);
    expect(waiting.message).toMatch(/Waiting: step "create" failed/);
    expect(canceled.title).toMatch(/^Backup was cancelled: /);
  });

  it('reports check problems once to a channel that also wants warnings', async () => {
    const { repository, planId } = await planWithChannel();
    await (await startBackup(planId)).result();
    await corruptLargestSegment(repository.location);
    const hookPath = `/hook/${secretToken}/check-${repository.id}`;
    await createChannel(receiver.appriseUrl(hookPath), { repositoryIds: [repository.id] }, [
      'run.warning',
      'check.problems',
    ]);

    const id = runId('check', repository.id);
    await harness.client.workflow.execute('checkRepository', {
      taskQueue: harness.taskQueue,
      workflowId: id,
      args: [{ repositoryId: repository.id, trigger: 'manual', repositoryOnly: true }],
    });

    const messages = await messagesAt(hookPath);
    // Give a second message the time it would need to arrive, so "only one" means something.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(receiver.messages(hookPath)).toHaveLength(1);
    expect(messages[0].type).toBe('failure');
    expect(messages[0].title).toBe(
      `Check found problems in the repository: repository-${repository.id}`,
    );
    expect(messages[0].message).toContain('Problems:');
  });

  it('finishes a backup promptly when its channel is unreachable, and records the error', async () => {
    const { planId } = await planWithChannel();
    const [closedPort] = await freePorts(1);
    const deadChannel = await createChannel(`json://127.0.0.1:${closedPort}/${secretToken}`, {
      planIds: [planId],
    });

    const handle = await startBackup(planId);
    await handle.result();

    const row = await runRow(handle.workflowId);
    const create = row.steps!.find((step) => step.name === 'create')!;
    const lastStep = row.steps!.at(-1)!;
    expect(row.status).toBe('succeeded');
    expect(row.finished_at!.getTime() - new Date(lastStep.finishedAt!).getTime()).toBeLessThan(
      3000,
    );
    expect(row.finished_at!.getTime() - new Date(create.finishedAt!).getTime()).toBeLessThan(
      15_000,
    );
    const channel = await waitForChannelError(deadChannel);
    expect(channel.last_error).toMatch(/apprise could not deliver/);
    expect(channel.last_error).not.toContain(secretToken);
    expect(channel.last_sent_at).toBeNull();
  });

  it('keeps the URL out of apprise argv and writes it to a private file that is removed afterwards', async () => {
    const { planId, hookPath } = await planWithChannel();
    receiver.delayMs = 3000;

    try {
      await startBackup(planId);
      const apprise = await findAppriseFor(secretToken, 20_000);

      expect(apprise.argv).toContain('--config');
      expect(apprise.argv.join(' ')).not.toContain(secretToken);
      const configFile = apprise.argv[apprise.argv.indexOf('--config') + 1];
      expect((await stat(configFile)).mode & 0o777).toBe(0o600);
      expect((await stat(path.dirname(configFile))).mode & 0o777).toBe(0o700);
      expect(await readFile(configFile, 'utf8')).toContain(secretToken);
      await messagesAt(hookPath);
      await expect(waitUntilGone(configFile)).resolves.toBe(true);
    } finally {
      receiver.delayMs = 0;
    }
  });

  it('never puts a channel URL into Temporal history or the logs', async () => {
    const histories = await Promise.all(
      channelUrls.map((url) => workflowsLeaking(harness.client, harness.taskQueue, url)),
    );
    const token = await workflowsLeaking(harness.client, harness.taskQueue, secretToken);

    expect(histories.flatMap((history) => history.leaking)).toEqual([]);
    expect(token.leaking).toEqual([]);
    expect(token.checked.filter((id) => id.startsWith('notify-')).length).toBeGreaterThan(5);
    expect(logLines.join('')).toContain('notification sent');
    expect(logLines.join('')).not.toContain(secretToken);
  });

  async function waitForChannelError(channelId: string) {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const channel = await harness.database.db
        .selectFrom('notification_channels')
        .selectAll()
        .where('id', '=', channelId)
        .executeTakeFirstOrThrow();
      if (channel.last_error) return channel;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`channel ${channelId} never recorded an error`);
  }
});

/** A running `apprise` whose config file holds `token`, with its argv, read from /proc. */
async function findAppriseFor(
  token: string,
  timeoutMs: number,
): Promise<{ pid: number; argv: string[] }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
      const argv = cmdline.split('\0').filter((arg) => arg !== '');
      if (!argv.some((arg) => path.basename(arg) === 'apprise')) continue;
      const configFile = argv[argv.indexOf('--config') + 1] ?? '';
      const config = await readFile(configFile, 'utf8').catch(() => '');
      if (config.includes(token)) return { pid: Number(entry), argv };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('no apprise process for this test appeared');
}

async function waitUntilGone(file: string): Promise<boolean> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const exists = await stat(path.dirname(file)).then(
      () => true,
      () => false,
    );
    if (!exists) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/** Overwrites bytes in the middle of the biggest segment file, as a failing disk would. */
async function corruptLargestSegment(location: string): Promise<void> {
  const segmentDir = path.join(location, 'data', '0');
  const segments = await Promise.all(
    (await readdir(segmentDir)).map(async (name) => {
      const file = path.join(segmentDir, name);
      return { file, size: (await stat(file)).size };
    }),
  );
  const largest = segments.sort((a, b) => b.size - a.size)[0];
  const handle = await open(largest.file, 'r+');
  await handle.write(Buffer.alloc(64), 0, 64, Math.floor(largest.size / 2));
  await handle.close();
}
