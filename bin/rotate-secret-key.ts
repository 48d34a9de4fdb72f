/**
 * Replaces the master key that encrypts secrets at rest (repository passphrases, SSH private
 * keys, notification URLs): every secret is re-encrypted under a new random key in one database
 * transaction, every session is ended, and the new key replaces the old one.
 *
 * Run it while the API and the worker are STOPPED: both hold the old key in memory, and a secret
 * they write during or after the rotation would be sealed with a key that no longer exists.
 *
 *   docker compose stop borgflow        # or stop `npm start`
 *   npx tsx bin/rotate-secret-key.ts    # same environment as the stack (DATA_DIR, DATABASE_URL…)
 *   docker compose start borgflow
 *
 * With DATABASE_URL unset it starts the embedded PostgreSQL under DATA_DIR for the duration (and
 * fails if the stack still runs it). With the key in DATA_DIR/.secret_key the file is replaced;
 * with SECRET_KEY set, the new key is printed once on stdout and SECRET_KEY must be changed to it
 * before the next start. API tokens stay valid: they are stored as digests, not encrypted.
 *
 * Exit status: 0 rotated, 1 failed (nothing changed unless the message says otherwise), 2 bad
 * configuration.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../core/config';
import { createLogger, type Logger } from '../core/logger';
import { rotateMasterKey } from '../core/secrets/rotate-master-key';
import { parseMasterKey, secretKeyFile } from '../core/secrets/secret-box';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../stack/embedded-postgres';
import { exitWithError, loadConfigOrExit, openMigratedDatabase } from '../stack/startup';

const config = loadConfigOrExit('rotate-secret-key');
const logger = createLogger({ level: config.logLevel, name: 'rotate-secret-key' });

async function main(): Promise<void> {
  const keyFile = config.secretKey ? undefined : secretKeyFile(config.dataDir);
  const oldKey = await readCurrentKey(config, keyFile);
  const newKey = randomBytes(32);
  const embedded = config.databaseUrl ? undefined : await startPostgres(config, logger);
  const database = await openMigratedDatabase(config.databaseUrl ?? embedded!.url, logger);
  try {
    const summary = await rotateMasterKey({ db: database.db, oldKey, newKey, keyFile });
    logger.info({ ...summary, keyFile: keyFile ?? null }, 'master key rotated');
  } finally {
    await database.close();
    await embedded?.stop();
  }

  if (!keyFile) {
    process.stdout.write(
      `New master key (set SECRET_KEY to it before starting Borgflow again):\n` +
        `${newKey.toString('base64')}\n`,
    );
  }
}

async function readCurrentKey(config: Config, keyFile: string | undefined): Promise<Buffer> {
  if (config.secretKey) return parseMasterKey(config.secretKey);
  try {
    return parseMasterKey(await readFile(keyFile!, 'utf8'));
  } catch (cause) {
    throw new Error(`cannot read the current master key from ${keyFile}`, { cause });
  }
}

async function startPostgres(config: Config, log: Logger): Promise<EmbeddedPostgres> {
  if (!existsSync(path.join(config.dataDir, 'postgres', 'data', 'PG_VERSION'))) {
    throw new Error(`no embedded database under ${config.dataDir}; set DATA_DIR or DATABASE_URL`);
  }
  return startEmbeddedPostgres({
    dataDir: config.dataDir,
    port: config.embeddedPostgresPort,
    logger: log,
  });
}

main().catch((error: unknown) => {
  logger.error({ err: error }, 'master key rotation failed');
  exitWithError('rotate-secret-key', error);
});
