import { sql, type Kysely } from 'kysely';

// Frozen once released: later changes get a migration of their own.

export async function up(db: Kysely<unknown>): Promise<void> {
  // Checks and prunes on their own timetable, one row per Temporal Schedule. `options` holds the
  // check flags or the prune retention, whichever `kind` needs.
  await db.schema
    .createTable('maintenance_schedules')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('repository_id', 'text', (col) =>
      col.notNull().references('repositories.id').onDelete('cascade'),
    )
    .addColumn('kind', 'text', (col) => col.notNull().check(sql`kind in ('check', 'prune')`))
    .addColumn('cron', 'text', (col) => col.notNull())
    .addColumn('timezone', 'text', (col) => col.notNull().defaultTo('UTC'))
    .addColumn('enabled', 'boolean', (col) => col.notNull().defaultTo(true))
    .addColumn('options', 'jsonb', (col) => col.notNull())
    .addColumn('jitter_seconds', 'integer')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  // The repository page lists a repository's schedules.
  await db.schema
    .createIndex('maintenance_schedules_repository_idx')
    .on('maintenance_schedules')
    .column('repository_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('maintenance_schedules').ifExists().execute();
}
