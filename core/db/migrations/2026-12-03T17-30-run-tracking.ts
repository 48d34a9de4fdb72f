import { sql, type Kysely } from 'kysely';

// Frozen once released: later changes get a migration of their own.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('runs').addColumn('steps', 'jsonb').execute();

  // At most one active backup per plan, whoever starts it (schedule, "run now", a retry): the
  // second insert fails, and the run that lost the race is recorded as skipped.
  await sql`
    create unique index runs_one_active_backup_per_plan on runs (plan_id)
    where kind = 'backup' and status in ('queued', 'running', 'waiting')
  `.execute(db);

  // The archives of each repository as last listed by a worker: the API never runs borg itself.
  await db.schema
    .createTable('archives')
    .addColumn('repository_id', 'text', (col) =>
      col.notNull().references('repositories.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('borg_id', 'text', (col) => col.notNull())
    .addColumn('started_at', 'timestamptz', (col) => col.notNull())
    .addColumn('finished_at', 'timestamptz')
    .addColumn('original_bytes', 'bigint')
    .addColumn('compressed_bytes', 'bigint')
    .addColumn('deduplicated_bytes', 'bigint')
    .addColumn('files', 'bigint')
    .addPrimaryKeyConstraint('archives_pk', ['repository_id', 'name'])
    .execute();

  await db.schema
    .createTable('repository_size_history')
    .addColumn('repository_id', 'text', (col) =>
      col.notNull().references('repositories.id').onDelete('cascade'),
    )
    .addColumn('at', 'timestamptz', (col) => col.notNull())
    .addColumn('original_bytes', 'bigint', (col) => col.notNull())
    .addColumn('deduplicated_bytes', 'bigint', (col) => col.notNull())
    .addColumn('archive_count', 'integer', (col) => col.notNull())
    .addPrimaryKeyConstraint('repository_size_history_pk', ['repository_id', 'at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('repository_size_history').ifExists().execute();
  await db.schema.dropTable('archives').ifExists().execute();
  await sql`drop index if exists runs_one_active_backup_per_plan`.execute(db);
  await db.schema.alterTable('runs').dropColumn('steps').execute();
}
