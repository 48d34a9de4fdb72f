import { sql, type Kysely } from 'kysely';

// Frozen once released: later changes get a migration of their own.

export async function up(db: Kysely<unknown>): Promise<void> {
  // A run's log lives beside the run rather than in a file on the worker that ran it, so the API
  // can show it whichever host the run's steps ran on, and stream it while the run goes on.
  await db.schema
    .createTable('run_log_lines')
    .addColumn('id', 'bigint', (col) => col.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('run_id', 'text', (col) => col.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('logged_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('line', 'text', (col) => col.notNull())
    .execute();

  await db.schema
    .createIndex('run_log_lines_run_idx')
    .on('run_log_lines')
    .columns(['run_id', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('run_log_lines').ifExists().execute();
}
