import type { Kysely } from 'kysely';
import type { Database, RepositoryRow } from '../../core/db/schema';
import { ApiError } from '../errors';
import { assessRepositoryHealth, type HealthAssessment } from '../runs/health';
import { latestRepositoryRuns } from '../runs/latest-runs';

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

/** Repository rows as the API shows them, each with its health judged from its latest runs. */
export async function toRepositoryResponses(db: Kysely<Database>, rows: RepositoryRow[]) {
  const runs = await latestRepositoryRuns(
    db,
    rows.map((row) => row.id),
  );
  return rows.map((row) =>
    toRepositoryResponse(
      row,
      assessRepositoryHealth({
        lastArchiveAt: row.last_archive_at,
        lastCheckAt: row.last_check_at,
        latestRuns: runs.get(row.id) ?? [],
      }),
    ),
  );
}

/** The repository `id` as the API shows it, or a NOT_FOUND error. */
export async function repositoryResponse(db: Kysely<Database>, id: string) {
  const [response] = await toRepositoryResponses(db, [await requireRepository(db, id)]);
  return response;
}

/** A `repositories` row as the API shows it; never a secret. */
function toRepositoryResponse(row: RepositoryRow, assessment: HealthAssessment) {
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
    health: assessment.health,
    healthReason: assessment.reason,
    needsAttention: assessment.needsAttention,
  };
}
