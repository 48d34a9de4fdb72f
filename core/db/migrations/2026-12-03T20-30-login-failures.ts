import { sql, type Kysely } from 'kysely';

// Frozen once released: later changes get a migration of their own.

export async function up(db: Kysely<unknown>): Promise<void> {
  // Failed sign-ins per key (a username, an address), so a lockout holds across API restarts and
  // across several API processes.
  await db.schema
    .createTable('login_failures')
    .addColumn('key', 'text', (col) => col.primaryKey())
    .addColumn('failures', 'integer', (col) => col.notNull())
    .addColumn('last_failure_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('locked_until', 'timestamptz')
    .execute();

  // Forgotten failures are swept by age.
  await db.schema
    .createIndex('login_failures_last_failure_idx')
    .on('login_failures')
    .column('last_failure_at')
    .execute();
}
