import type { Kysely } from 'kysely';

// Frozen once released: later changes get a migration of their own.

export async function up(db: Kysely<unknown>): Promise<void> {
  // Health on the dashboard and in repository answers asks for the newest run of a repository
  // (or plan) and kind; with these each answer is a short index walk, not a scan of every run.
  await db.schema
    .createIndex('runs_repository_kind_created_idx')
    .on('runs')
    .columns(['repository_id', 'kind', 'created_at desc'])
    .execute();
  await db.schema
    .createIndex('runs_plan_kind_created_idx')
    .on('runs')
    .columns(['plan_id', 'kind', 'created_at desc'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('runs_plan_kind_created_idx').ifExists().execute();
  await db.schema.dropIndex('runs_repository_kind_created_idx').ifExists().execute();
}
