import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../core/config';
import { assertDatabaseReachable, openDatabase } from '../core/db/database';
import { migrateToLatest } from '../core/db/migrate';
import type { Logger } from '../core/logger';
import { startEmbeddedPostgres } from './embedded-postgres';
import { describeExit, ManagedProcess, type ProcessExit } from './managed-process';
import { startTemporalDevServer } from './temporal-dev-server';

/** How long each child may take to stop before it is killed. */
const STOP_GRACE_MS = {
  // The worker cancels running activities after its own 10 s grace; borg then needs a few more
  // seconds to write a checkpoint and release its lock.
  worker: 60_000,
  api: 10_000,
};

interface Service {
  name: string;
  stop(): Promise<void>;
}

/**
 * Starts the whole stack on one machine, in order: PostgreSQL and Temporal (embedded unless
 * configured), migrations, then the worker and the API as child processes. Resolves with the exit
 * status the command should end with: 0 after a requested shutdown, 1 when a child died.
 */
export async function runStack(config: Config, logger: Logger): Promise<number> {
  const services: Service[] = [];
  let shutdownRequested: string | undefined;
  const requestShutdown = (signal: string) => {
    shutdownRequested ??= signal;
    wakeUp();
  };
  let wakeUp = () => {};
  const stopRequested = new Promise<void>((resolve) => (wakeUp = resolve));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, requestShutdown);

  try {
    await mkdir(path.join(config.dataDir, 'logs'), { recursive: true });
    const env = await startBackingServices(config, logger, services);
    if (shutdownRequested) return await stopAll(services, logger, 0);

    const children = ['worker', 'api'].map((name) => startChild(name, env, logger));
    services.push(...children.map((child) => asService(child, logger)));
    logger.info(
      { url: `http://${config.host}:${config.port}`, temporalUi: env.TEMPORAL_UI_URL },
      'borgflow started',
    );

    const firstExit = await Promise.race([
      stopRequested.then(() => undefined),
      ...children.map((child) => child.exited),
    ]);
    if (firstExit && !shutdownRequested) {
      logger.error({ process: firstExit.name }, `${describeExit(firstExit)}; stopping borgflow`);
      return await stopAll(services, logger, 1);
    }
    logger.info({ signal: shutdownRequested }, 'shutting down');
    return await stopAll(services, logger, 0);
  } catch (error) {
    await stopAll(services, logger, 1);
    throw error;
  }
}

async function startBackingServices(
  config: Config,
  logger: Logger,
  services: Service[],
): Promise<NodeJS.ProcessEnv> {
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const postgres = await startEmbeddedPostgres({
      dataDir: config.dataDir,
      port: config.embeddedPostgresPort,
      logger,
    });
    services.push({ name: 'postgresql', stop: () => postgres.stop() });
    databaseUrl = postgres.url;
  }
  await migrate(databaseUrl, logger);

  let temporalAddress = config.temporalAddress;
  if (!temporalAddress) {
    const temporal = await startTemporalDevServer({
      dataDir: config.dataDir,
      port: config.temporalPort,
      uiPort: config.temporalUiPort,
      namespace: config.temporalNamespace,
      cliPath: config.temporalCliPath,
      logger,
    });
    services.push({ name: 'temporal', stop: () => temporal.stop() });
    temporalAddress = temporal.address;
  }

  return {
    ...process.env,
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_UI_URL: config.temporalUiUrl,
    DATA_DIR: config.dataDir,
  };
}

async function migrate(databaseUrl: string, logger: Logger): Promise<void> {
  const handle = openDatabase(databaseUrl, { maxConnections: 2 });
  try {
    await assertDatabaseReachable(handle);
    const applied = await migrateToLatest(handle);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
  } finally {
    await handle.close();
  }
}

function startChild(name: string, env: NodeJS.ProcessEnv, logger: Logger): ManagedProcess {
  const entry = path.resolve(import.meta.dirname, '..', 'bin', `${name}.ts`);

  return new ManagedProcess({
    name,
    command: process.execPath,
    args: ['--import', 'tsx', entry],
    env,
    output: 'inherit',
    ipc: true,
    logger,
  });
}

function asService(child: ManagedProcess, logger: Logger): Service {
  const name = child.name as keyof typeof STOP_GRACE_MS;

  return {
    name,
    stop: async () => {
      const exit: ProcessExit = await child.stop('SIGTERM', STOP_GRACE_MS[name]);
      logger.info({ process: name }, describeExit(exit));
    },
  };
}

/** Stops children first (they need the backing services to finish cleanly), then the rest. */
async function stopAll(services: Service[], log: Logger, exitCode: number): Promise<number> {
  const children = services.filter((service) => ['worker', 'api'].includes(service.name));
  const backing = services.filter((service) => !children.includes(service));
  await Promise.allSettled(children.map((service) => service.stop()));
  for (const service of backing.reverse()) {
    await service.stop().catch((error: unknown) => {
      log.warn({ process: service.name, err: error }, 'stopping failed');
    });
  }
  services.length = 0;

  return exitCode;
}
