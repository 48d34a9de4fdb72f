/** The HTTP API and web UI. It starts and inspects runs through Temporal; it never runs borg. */
import { Client, Connection } from '@temporalio/client';
import { ensureDefaultAdmin } from '../api/auth/default-admin';
import { buildServer } from '../api/server';
import { createLogger } from '../core/logger';
import { loadMasterKey, SecretBox } from '../core/secrets/secret-box';
import { reconcileSchedules } from '../core/temporal/reconcile-schedules';
import { scheduleSettingsOf } from '../core/temporal/schedule-sync';
import {
  exitWithError,
  loadConfigOrExit,
  openMigratedDatabase,
  requireDatabaseUrl,
  requireTemporalAddress,
} from '../stack/startup';

const config = loadConfigOrExit('api');
const logger = createLogger({ level: config.logLevel, name: 'api' });

async function main(): Promise<void> {
  const database = await openMigratedDatabase(requireDatabaseUrl(config), logger);
  const secrets = new SecretBox(await loadMasterKey(config.dataDir, config.secretKey));
  const connection = await Connection.connect({ address: requireTemporalAddress(config) });
  const temporal = new Client({ connection, namespace: config.temporalNamespace });
  await ensureDefaultAdmin(database.db, config, logger);
  const app = await buildServer({
    config,
    logger,
    db: database.db,
    sql: database.sql,
    secrets,
    temporal,
  });
  await app.listen({ port: config.port, host: config.host });
  // Not awaited: serving does not wait for Temporal, and a failure is logged, never thrown.
  void reconcileSchedules({
    db: database.db,
    temporal,
    settings: scheduleSettingsOf(config),
    logger,
  });

  let isClosing = false;
  const close = async (reason: string) => {
    if (isClosing) return;
    isClosing = true;
    logger.info({ reason }, 'api stopping');
    await app.close();
    await connection.close();
    await database.close();
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => close(signal));
  // The supervisor holds an IPC channel open; when it disappears, stop serving.
  process.on('disconnect', () => close('supervisor gone'));
}

main().catch((error: unknown) => {
  logger.error({ err: error }, 'api failed to start');
  exitWithError('api', error);
});
