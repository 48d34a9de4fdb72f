import { ConfigError, loadConfig, type Config } from '../core/config';
import { assertDatabaseReachable, openDatabase, type DatabaseHandle } from '../core/db/database';
import { migrateToLatest } from '../core/db/migrate';
import type { Logger } from '../core/logger';

/** Reads the configuration, or prints one line per bad variable and exits with status 2. */
export function loadConfigOrExit(processName: string): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems)
      process.stderr.write(`borgflow ${processName}: ${problem}\n`);
    process.exit(2);
  }
}

/** Prints one line a person can act on and exits non-zero: for failures before logging is up. */
export function exitWithError(processName: string, error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`borgflow ${processName}: ${message}\n`);
  process.exit(1);
}

/** Connects to PostgreSQL and brings the schema up to date (safe when API and worker race). */
export async function openMigratedDatabase(
  databaseUrl: string,
  logger: Logger,
): Promise<DatabaseHandle> {
  const handle = openDatabase(databaseUrl);
  try {
    await assertDatabaseReachable(handle);
    const applied = await migrateToLatest(handle);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
  } catch (error) {
    await handle.close();
    throw error;
  }

  return handle;
}

export function requireDatabaseUrl(config: Config): string {
  if (config.databaseUrl) return config.databaseUrl;
  throw new Error(
    'DATABASE_URL is not set (start through bin/borgflow.ts to get the embedded one)',
  );
}

export function requireTemporalAddress(config: Config): string {
  return config.temporalAddress ?? `127.0.0.1:${config.temporalPort}`;
}
