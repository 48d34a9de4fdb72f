/**
 * The Temporal worker: runs Borgflow's workflows and the activities that drive borg. Several
 * workers on several hosts may poll the same task queue.
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import {
  bundleWorkflowCode,
  NativeConnection,
  Runtime,
  Worker,
  makeTelemetryFilterString,
} from '@temporalio/worker';
import { execa } from 'execa';
import { createActivities } from '../activities';
import { loadHostId } from '../core/host-id';
import { createLogger } from '../core/logger';
import { loadMasterKey, SecretBox } from '../core/secrets/secret-box';
import { syncMissedBackupSchedule } from '../core/temporal/missed-backup-schedule';
import { ensureSearchAttributes } from '../core/temporal/namespace';
import { TemporalPinoLogger } from '../core/temporal/runtime-logger';
import {
  exitWithError,
  loadConfigOrExit,
  openMigratedDatabase,
  requireDatabaseUrl,
  requireTemporalAddress,
} from '../stack/startup';

const config = loadConfigOrExit('worker');
const logger = createLogger({ level: config.logLevel, name: 'worker' });

Runtime.install({
  logger: new TemporalPinoLogger(logger),
  telemetryOptions: {
    logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
    // Task slots, poll latency, activity outcomes: scraped from the worker's own loopback port.
    ...(config.workerMetricsPort && {
      metrics: { prometheus: { bindAddress: `127.0.0.1:${config.workerMetricsPort}` } },
    }),
  },
});

async function detectBorgVersion(): Promise<string | null> {
  try {
    const { stdout } = await execa('borg', ['--version'], {
      extendEnv: false,
      env: { LANG: 'C.UTF-8' },
    });
    return stdout.trim().replace(/^borg\s+/, '');
  } catch {
    logger.error('borg not found on this worker: runs will fail until it is installed');
    return null;
  }
}

async function main(): Promise<void> {
  const database = await openMigratedDatabase(requireDatabaseUrl(config), logger);
  const secrets = new SecretBox(await loadMasterKey(config.dataDir, config.secretKey));
  const hostId = await loadHostId(config.dataDir);
  const borgVersion = await detectBorgVersion();
  const address = requireTemporalAddress(config);

  const clientConnection = await Connection.connect({ address });
  const registered = await ensureSearchAttributes(clientConnection, config.temporalNamespace);
  if (registered.length > 0) {
    logger.info({ searchAttributes: registered }, 'search attributes registered');
  }
  const temporal = new Client({
    connection: clientConnection,
    namespace: config.temporalNamespace,
  });

  await syncMissedBackupSchedule(temporal, { taskQueue: config.taskQueue });

  const now = new Date();
  await database.db
    .insertInto('workers')
    .values({
      id: hostId,
      hostname: os.hostname(),
      task_queue: config.taskQueue,
      borg_version: borgVersion,
      started_at: now,
      last_seen_at: now,
    })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({
        hostname: os.hostname(),
        task_queue: config.taskQueue,
        borg_version: borgVersion,
        started_at: now,
        last_seen_at: now,
      }),
    )
    .execute();

  const bundleStartedAt = performance.now();
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('../workflows/index.ts', import.meta.url)),
    // webpack reports every module it bundled: worth reading when debugging, noise otherwise.
    logger: new TemporalPinoLogger(logger, { quietInfo: true }),
  });
  logger.info(
    {
      durationMs: Math.round(performance.now() - bundleStartedAt),
      sizeBytes: workflowBundle.code.length,
    },
    'workflow bundle built',
  );

  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    identity: `${hostId}/${process.pid}`,
    workflowBundle,
    activities: createActivities({
      db: database.db,
      config,
      logger,
      secrets,
      hostId,
      borgVersion,
      temporal,
    }),
    // Running activities get this long to finish on shutdown before they are cancelled; a
    // cancelled borg create then writes a checkpoint, which takes a few seconds more.
    shutdownGraceTime: '10 seconds',
  });
  logger.info({ taskQueue: config.taskQueue, address, hostId, borgVersion }, 'worker started');

  // The supervisor holds an IPC channel open; when it disappears, stop polling and exit.
  process.on('disconnect', () => worker.shutdown());
  await worker.run();
  await connection.close();
  await clientConnection.close();
  await database.close();
  logger.info('worker stopped');
  // The IPC channel to the supervisor would otherwise keep the process alive.
  process.disconnect?.();
}

main().catch((error: unknown) => {
  logger.error({ err: error }, 'worker failed');
  exitWithError('worker', error);
});
