import type { Kysely } from 'kysely';
import type { Database, RepositoryRow } from '../../core/db/schema';
import type { RunKind, RunStatus } from '../../core/runs';
import { ApiError } from '../errors';
import {
  assessRepositoryHealth,
  REPOSITORY_CARE_KINDS,
  UNSETTLED_STATUSES,
  type HealthAssessment,
  type SettledRun,
} from '../runs/health';

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

/**
 * The latest settled run of each kind that looks after each repository, per kind so a later good
 * backup does not hide a failed check. One query for all the rows asked about.
 */
async function latestSettledRuns(
  db: Kysely<Database>,
  repositoryIds: string[],
): Promise<Map<string, SettledRun[]>> {
  const byRepository = new Map<string, SettledRun[]>();
  if (repositoryIds.length === 0) return byRepository;
  const rows = await db
    .selectFrom('runs')
    .select(['repository_id', 'kind', 'status', 'stats'])
    .distinctOn(['repository_id', 'kind'])
    .where('repository_id', 'in', repositoryIds)
    .where('kind', 'in', REPOSITORY_CARE_KINDS)
    .where('status', 'not in', UNSETTLED_STATUSES)
    .orderBy('repository_id')
    .orderBy('kind')
    .orderBy('created_at', 'desc')
    .execute();
  for (const row of rows) {
    const runs = byRepository.get(row.repository_id!) ?? [];
    // The columns are plain text; the workflows only ever write the vocabulary of core/runs.
    runs.push({ kind: row.kind as RunKind, status: row.status as RunStatus, stats: row.stats });
    byRepository.set(row.repository_id!, runs);
  }
  return byRepository;
}

/** Repository rows as the API shows them, each with its health judged from its latest runs. */
export async function toRepositoryResponses(db: Kysely<Database>, rows: RepositoryRow[]) {
  const runs = await latestSettledRuns(
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
