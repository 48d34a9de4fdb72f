import type { Kysely } from 'kysely';
import type { Database, RepositoryRow } from '../../core/db/schema';
import { ApiError } from '../errors';
import { healthOf } from '../runs/health';

/** The `repositories` row of `id`, or a NOT_FOUND error for the caller to answer with. */
export async function requireRepository(db: Kysely<Database>, id: string): Promise<RepositoryRow> {
  const row = await db
    .selectFrom('repositories')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();

  if (!row) throw new ApiError('NOT_FOUND', `No repository with id ${id}.`);
  return row;
}

/** A `repositories` row as the API shows it; never a secret. */
export function toRepositoryResponse(row: RepositoryRow) {
  return {
    id: row.id,
    name: row.name,
    location: row.location,
    encryption: row.encryption,
    sshKeyId: row.ssh_key_id,
    remotePath: row.remote_path,
    uploadRateLimitKbps: row.upload_rate_limit_kbps,
    allowRelocated: row.allow_relocated,
    hostKeyFingerprint: row.host_key_fingerprint,
    hasKeyEscrow: row.key_escrow_secret !== null,
    stats: row.stats,
    lastArchiveAt: row.last_archive_at?.toISOString() ?? null,
    lastCheckAt: row.last_check_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    health: healthOf(row.last_archive_at),
  };
}
