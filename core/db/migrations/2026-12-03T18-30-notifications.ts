import type { Kysely } from 'kysely';

// Frozen once released: later changes get a migration of their own.

export async function up(db: Kysely<unknown>): Promise<void> {
  // A healthchecks-style ping URL carries the check's token: sealed like every other secret.
  await db.schema.alterTable('plans').addColumn('ping_url_secret', 'text').execute();

  // When the last "no recent backup" alert went out, so the 15-minute check alerts once per gap.
  await db.schema
    .alterTable('plans')
    .addColumn('missed_backup_alerted_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('plans').dropColumn('missed_backup_alerted_at').execute();
  await db.schema.alterTable('plans').dropColumn('ping_url_secret').execute();
}
