import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { ulid } from 'ulid';
import { inject } from 'vitest';
import { createActivities, type Activities } from '../../activities';
import { initRepository } from '../../activities/borg';
import { loadConfig, type Config } from '../../core/config';
import type { DatabaseHandle } from '../../core/db/database';
import { createLogger, type Logger } from '../../core/logger';
import { secretContexts } from '../../core/secrets/contexts';
import { SecretBox } from '../../core/secrets/secret-box';
import { encodeHistory } from '../../core/temporal/proto';
import { createTestDatabase } from './database';

export const TEST_PASSPHRASE = 'test-passphrase-7c1d2e9a4b-do-not-leak';
const WORKFLOWS = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

/** A real worker on the shared Temporal dev server, with its own task queue, database and data. */
export interface WorkflowHarness {
  config: Config;
  database: DatabaseHandle & { url: string };
  secrets: SecretBox;
  client: Client;
  taskQueue: string;
  dataDir: string;
  /**
   * Starts a worker that polls in the background until `close()` (bundling takes seconds).
   * `overrides` replace activities by name, to make one step fail on purpose.
   */
  startWorker(overrides?: Partial<Activities>): Promise<Worker>;
  createRepository(options?: { passphrase?: string }): Promise<{ id: string; location: string }>;
  createPlan(fields: PlanFields): Promise<string>;
  /** The same activities the worker runs, to call one step directly (MockActivityEnvironment). */
  activities: Activities;
  /** Environment for a worker process (`bin/worker.ts`) serving this harness's task queue. */
  workerEnv(): Record<string, string>;
  close(): Promise<void>;
}

export interface PlanFields {
  repositoryId: string;
  sources: string[];
  name?: string;
  hooks?: unknown[];
  retention?: Record<string, unknown>;
  pruneAfterBackup?: boolean;
  checkAfterBackup?: boolean;
  options?: Record<string, unknown>;
  compression?: string;
}

export async function createWorkflowHarness(): Promise<WorkflowHarness> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'borgflow-workflows-'));
  await chmod(dataDir, 0o755);
  const taskQueue = `test-${randomBytes(4).toString('hex')}`;
  const address = inject('temporalAddress');
  const database = await createTestDatabase();
  const config = loadConfig({
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: address,
    TASK_QUEUE: taskQueue,
    REPOSITORY_ROOTS: path.join(dataDir, 'repositories'),
    RESTORE_ROOTS: path.join(dataDir, 'restores'),
  });
  // Written where a worker process started on this DATA_DIR will find it.
  const masterKey = randomBytes(32);
  await writeFile(path.join(dataDir, '.secret_key'), masterKey.toString('base64'), { mode: 0o600 });
  const secrets = new SecretBox(masterKey);
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const logger = createLogger({ level: 'warn', name: 'test-worker', pretty: false });
  const hostId = `test-host@${randomBytes(4).toString('hex')}`;
  const workers: { worker: Worker; running: Promise<void> }[] = [];

  const activities = createActivities({
    db: database.db,
    config,
    logger,
    secrets,
    hostId,
    borgVersion: '1.2',
    temporal: client,
  });
  const startWorker = async (overrides: Partial<Activities> = {}) => {
    const worker = await Worker.create({
      connection: await NativeConnection.connect({ address }),
      taskQueue,
      workflowsPath: WORKFLOWS,
      activities: { ...activities, ...overrides },
      // Tests cancel runs and stop workers often: do not wait long for activities to end.
      shutdownGraceTime: '2 seconds',
    });
    workers.push({ worker, running: worker.run() });
    return worker;
  };

  return {
    config,
    database,
    secrets,
    client,
    taskQueue,
    dataDir,
    startWorker,
    activities,
    async createRepository({ passphrase = TEST_PASSPHRASE } = {}) {
      const id = ulid();
      const location = path.join(dataDir, 'repositories', id);
      await mkdir(path.dirname(location), { recursive: true });
      await initRepository(
        {
          target: { location, passphrase },
          environment: { baseDir: path.join(dataDir, 'borg'), hostId },
        },
        { encryption: 'repokey-blake2' },
      );
      await database.db
        .insertInto('repositories')
        .values({
          id,
          name: `repository-${id}`,
          location,
          encryption: 'repokey-blake2',
          passphrase_secret: secrets.encrypt(passphrase, secretContexts.repositoryPassphrase(id)),
          pending_passphrase_secret: null,
          key_escrow_secret: null,
          ssh_key_id: null,
          remote_path: null,
          upload_rate_limit_kbps: null,
          host_key_fingerprint: null,
        })
        .execute();
      return { id, location };
    },
    async createPlan(fields: PlanFields) {
      const id = ulid();
      await database.db
        .insertInto('plans')
        .values({
          id,
          name: fields.name ?? `plan-${id.slice(-6).toLowerCase()}`,
          repository_id: fields.repositoryId,
          sources: fields.sources,
          hooks: fields.hooks ?? [],
          retention: fields.retention ? fields.retention : null,
          prune_after_backup: fields.pruneAfterBackup ?? false,
          check_after_backup: fields.checkAfterBackup ?? false,
          options: fields.options ?? {},
          ...(fields.compression ? { compression: fields.compression } : {}),
          schedule_cron: null,
          schedule_timezone: null,
        })
        .execute();
      return id;
    },
    workerEnv() {
      return {
        DATA_DIR: dataDir,
        DATABASE_URL: database.url,
        TEMPORAL_ADDRESS: address,
        TASK_QUEUE: taskQueue,
        LOG_LEVEL: 'warn',
      };
    },
    async close() {
      for (const { worker, running } of workers) {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
      }
      await connection.close();
      await database.close();
    },
  };
}

export function runId(kind: string, subject: string): string {
  return `${kind}-${subject}-${ulid()}`;
}

/** What a worker shares with an API test context, so runs the API starts really execute. */
export interface ApiWorkerSource {
  config: Config;
  database: DatabaseHandle;
  secrets: SecretBox;
  temporal: Client;
}

/**
 * A real worker on the API context's task queue, database, master key and DATA_DIR (bundling
 * the workflows takes seconds). `close()` stops it and waits for it.
 */
export async function startApiWorker(
  source: ApiWorkerSource,
): Promise<{ worker: Worker; close(): Promise<void> }> {
  const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  const worker = await Worker.create({
    connection,
    taskQueue: source.config.taskQueue,
    workflowsPath: WORKFLOWS,
    activities: createActivities({
      db: source.database.db,
      config: source.config,
      logger: createLogger({ level: 'warn', name: 'api-test-worker', pretty: false }),
      secrets: source.secrets,
      hostId: `api-test-host@${randomBytes(4).toString('hex')}`,
      borgVersion: '1.2',
      temporal: source.temporal,
    }),
    // Tests cancel runs and stop workers often: do not wait long for activities to end.
    shutdownGraceTime: '2 seconds',
  });
  const running = worker.run();

  return {
    worker,
    close: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

/**
 * Ids of the workflows on `taskQueue` whose history holds `secret` anywhere: inputs, results,
 * failures, memos. Payloads are encoded bytes, so the search runs on the encoded history.
 */
export async function workflowsLeaking(
  client: Client,
  taskQueue: string,
  secret: string,
): Promise<{ checked: string[]; leaking: string[] }> {
  const checked: string[] = [];
  const leaking: string[] = [];
  for await (const execution of client.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) {
    const handle = client.workflow.getHandle(execution.workflowId, execution.runId);
    const history = await handle.fetchHistory();
    const encoded = Buffer.from(encodeHistory(history));
    checked.push(execution.workflowId);
    if (encoded.includes(secret) || encoded.includes(Buffer.from(secret).toString('base64'))) {
      leaking.push(execution.workflowId);
    }
  }
  return { checked, leaking };
}

/**
 * A second way to start the harness's worker: with the caller's logger, so a test can read what
 * the activities logged. The caller stops it with `close()` before the harness closes.
 */
export async function startLoggingWorker(
  harness: WorkflowHarness,
  logger: Logger,
): Promise<{ worker: Worker; close(): Promise<void> }> {
  const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  const worker = await Worker.create({
    connection,
    taskQueue: harness.taskQueue,
    workflowsPath: WORKFLOWS,
    activities: createActivities({
      db: harness.database.db,
      config: harness.config,
      logger,
      secrets: harness.secrets,
      hostId: `logging-test-host@${randomBytes(4).toString('hex')}`,
      borgVersion: '1.2',
      temporal: harness.client,
    }),
    // Tests cancel runs and stop workers often: do not wait long for activities to end.
    shutdownGraceTime: '2 seconds',
  });
  const running = worker.run();

  return {
    worker,
    close: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
