import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { secretContexts } from './contexts';
import { SecretBox } from './secret-box';

/** A column holding SecretBox ciphertexts, and the context each row's value is sealed under. */
export interface SecretColumn {
  table: keyof Database;
  column: string;
  context: (id: string) => string;
}

/**
 * Every encrypted column in the schema, with its context from `secretContexts`. A value sealed
 * under any other context stops the rotation at that row, which then changes nothing.
 */
export const SECRET_COLUMNS: readonly SecretColumn[] = [
  {
    table: 'repositories',
    column: 'passphrase_secret',
    context: secretContexts.repositoryPassphrase,
  },
  {
    table: 'repositories',
    column: 'pending_passphrase_secret',
    context: secretContexts.repositoryPendingPassphrase,
  },
  {
    table: 'repositories',
    column: 'key_escrow_secret',
    context: secretContexts.repositoryKeyEscrow,
  },
  { table: 'ssh_keys', column: 'private_key_secret', context: secretContexts.sshPrivateKey },
  {
    table: 'notification_channels',
    column: 'url_secret',
    context: secretContexts.notificationUrl,
  },
  { table: 'plans', column: 'ping_url_secret', context: secretContexts.planPingUrl },
];

export interface RotateMasterKeyOptions {
  db: Kysely<Database>;
  oldKey: Buffer;
  newKey: Buffer;
  /** Where the new key is written (0600, atomically); omit when the key lives in `SECRET_KEY`. */
  keyFile?: string;
}

export interface RotationSummary {
  /** Re-encrypted values per `table.column`. */
  reencrypted: Record<string, number>;
  sessionsEnded: number;
}

/**
 * Re-encrypts every secret from `oldKey` to `newKey` in one transaction and ends every session.
 * The new key is written beside the key file first and renamed over it only after the commit:
 * a failure before the commit leaves the old key and the old ciphertexts in place, and a crash
 * after it leaves `<keyFile>.new` holding the key the database now needs.
 */
export async function rotateMasterKey(options: RotateMasterKeyOptions): Promise<RotationSummary> {
  const { db, keyFile } = options;
  const oldBox = new SecretBox(options.oldKey);
  const newBox = new SecretBox(options.newKey);
  if (oldBox.keyId === newBox.keyId) throw new Error('the new master key equals the old one');
  const pendingFile = keyFile ? `${keyFile}.new` : undefined;
  if (pendingFile) await writeKeyFile(pendingFile, options.newKey);

  try {
    const summary = await db.transaction().execute(async (trx) => {
      const reencrypted: Record<string, number> = {};
      for (const secret of SECRET_COLUMNS) {
        reencrypted[`${secret.table}.${secret.column}`] = await resealColumn(
          trx,
          secret,
          oldBox,
          newBox,
        );
      }
      const ended = await trx.deleteFrom('user_sessions').executeTakeFirst();

      return { reencrypted, sessionsEnded: Number(ended.numDeletedRows) };
    });
    if (pendingFile && keyFile) await replaceFile(pendingFile, keyFile);

    return summary;
  } catch (error) {
    if (pendingFile) await rm(pendingFile, { force: true });
    throw error;
  }
}

async function resealColumn(
  trx: Kysely<Database>,
  { table, column, context }: SecretColumn,
  oldBox: SecretBox,
  newBox: SecretBox,
): Promise<number> {
  const { rows } = await sql<{ id: string; sealed: string }>`
    select id, ${sql.ref(column)} as sealed from ${sql.table(table)}
    where ${sql.ref(column)} is not null for update
  `.execute(trx);

  for (const { id, sealed } of rows) {
    let plaintext: string;
    try {
      plaintext = oldBox.decrypt(sealed, context(id));
    } catch (cause) {
      throw new Error(`cannot decrypt ${table}.${column} of row ${id}`, { cause });
    }
    const resealed = newBox.encrypt(plaintext, context(id));
    await sql`update ${sql.table(table)} set ${sql.ref(column)} = ${resealed} where id = ${id}`.execute(
      trx,
    );
  }

  return rows.length;
}

/** Writes the key in the format `loadMasterKey` reads, durably, readable by the owner only. */
export async function writeKeyFile(file: string, key: Buffer): Promise<void> {
  const handle = await open(file, 'w', 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(`${key.toString('base64')}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

// rename(2) replaces the target atomically; syncing the directory makes the rename durable.
async function replaceFile(source: string, target: string): Promise<void> {
  await rename(source, target);
  const directory = await open(path.dirname(target), 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
