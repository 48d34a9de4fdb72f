import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { secretContexts } from '../core/secrets/contexts';
import type { BorgRepository } from './borg';
import type { ActivityDependencies } from './dependencies';

/** Where borg keeps cache, config and keyfile keys on this worker host. */
export function borgBaseDir(dataDir: string): string {
  return path.join(dataDir, 'borg');
}

/** The known_hosts file in which Borgflow pins the host keys of SSH repositories. */
export function knownHostsFile(dataDir: string): string {
  return path.join(dataDir, 'ssh', 'known_hosts');
}

/**
 * Opens a repository for borg: its location and options from PostgreSQL, its passphrase and SSH
 * key decrypted here, on the worker, for this one activity. Nothing of it travels through Temporal.
 */
export async function loadBorgRepository(
  { db, secrets, config, hostId }: ActivityDependencies,
  repositoryId: string,
): Promise<BorgRepository & { name: string }> {
  const row = await db
    .selectFrom('repositories')
    .selectAll()
    .where('id', '=', repositoryId)
    .executeTakeFirst();
  if (!row) {
    throw ApplicationFailure.nonRetryable(
      `repository ${repositoryId} no longer exists`,
      'REPOSITORY_DELETED',
    );
  }
  const baseDir = borgBaseDir(config.dataDir);
  await mkdir(baseDir, { recursive: true, mode: 0o700 });
  await mkdir(path.dirname(knownHostsFile(config.dataDir)), { recursive: true, mode: 0o700 });

  return {
    name: row.name,
    environment: { baseDir, hostId },
    target: {
      location: row.location,
      passphrase: row.passphrase_secret
        ? secrets.decrypt(row.passphrase_secret, secretContexts.repositoryPassphrase(row.id))
        : undefined,
      sshPrivateKey: row.ssh_key_id ? await loadPrivateKey(db, secrets, row.ssh_key_id) : undefined,
      knownHostsFile: await pinnedKnownHostsFile(config.dataDir, row.id, row.host_key_line),
      remotePath: row.remote_path ?? undefined,
      uploadRateLimitKbps: row.upload_rate_limit_kbps ?? undefined,
      allowRelocated: row.allow_relocated,
    },
  };
}

/**
 * The known_hosts file borg's ssh checks this repository's server against. A pin approved on any
 * worker is stored with the repository, and each worker writes it to a file of the repository's
 * own (so pins of other repositories on the same host cannot interfere). Repositories pinned
 * before pins were stored fall back to this worker's shared known_hosts.
 */
async function pinnedKnownHostsFile(
  dataDir: string,
  repositoryId: string,
  hostKeyLine: string | null,
): Promise<string> {
  if (!hostKeyLine) return knownHostsFile(dataDir);
  const dir = path.join(dataDir, 'ssh', 'known_hosts.d');
  const file = path.join(dir, repositoryId);
  const content = `${hostKeyLine}\n`;
  if ((await readFile(file, 'utf8').catch(() => undefined)) === content) return file;

  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Written aside and renamed, so a concurrent ssh never reads half a file.
  const partial = `${file}.${process.pid}.${Date.now()}`;
  await writeFile(partial, content, { mode: 0o600 });
  await rename(partial, file);
  return file;
}

/** Decrypts one stored SSH private key, for this activity only. */
export async function loadPrivateKey(
  db: ActivityDependencies['db'],
  secrets: ActivityDependencies['secrets'],
  sshKeyId: string,
): Promise<string> {
  const key = await db
    .selectFrom('ssh_keys')
    .select(['id', 'private_key_secret'])
    .where('id', '=', sshKeyId)
    .executeTakeFirstOrThrow();

  return secrets.decrypt(key.private_key_secret, secretContexts.sshPrivateKey(key.id));
}
