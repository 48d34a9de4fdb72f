import { Migrator, type MigrationResultSet } from 'kysely';
import type { DatabaseHandle } from './database';
import { migrations } from './migrations';

export class MigrationError extends Error {
  constructor(
    readonly migrationName: string | undefined,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`database migration ${migrationName ?? '(unknown)'} failed: ${reason}`, { cause });
    this.name = 'MigrationError';
  }
}

/** Brings the schema up to date; kysely's lock makes concurrent callers (API and worker) safe. */
export async function migrateToLatest({ db }: DatabaseHandle): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
  });
  const { error, results }: MigrationResultSet = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error) throw new MigrationError(failed?.migrationName, error);

  return (results ?? []).map((result) => result.migrationName);
}
