import type { Kysely } from 'kysely';

// Frozen once released: later changes get a migration of their own.

export async function up(db: Kysely<unknown>): Promise<void> {
  // The approved known_hosts line itself, not only its fingerprint: every worker host writes it
  // into its own known_hosts before it connects, so a pin made on one worker holds on all.
  await db.schema.alterTable('repositories').addColumn('host_key_line', 'text').execute();
}
