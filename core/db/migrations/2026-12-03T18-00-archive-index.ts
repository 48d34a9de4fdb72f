import { sql, type Kysely } from 'kysely';

// Frozen once released: later changes get a migration of their own.

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per indexed archive; `id` keeps the item rows narrow (a number instead of two names).
  await db.schema
    .createTable('archive_indexes')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('repository_id', 'text', (col) =>
      col.notNull().references('repositories.id').onDelete('cascade'),
    )
    .addColumn('archive_name', 'text', (col) => col.notNull())
    .addColumn('borg_id', 'text')
    .addColumn('state', 'text', (col) =>
      col.notNull().check(sql`state in ('indexing', 'ready', 'failed')`),
    )
    .addColumn('item_count', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('started_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .addUniqueConstraint('archive_indexes_archive_unique', ['repository_id', 'archive_name'])
    .execute();

  // One row per item, keyed for "one directory level, by name, after a cursor": the primary key
  // serves that listing as a single index range scan. Byte-order collation keeps comparisons
  // cheap and the order stable whatever the server's locale.
  await db.schema
    .createTable('archive_items')
    .addColumn('index_id', 'bigint', (col) =>
      col.notNull().references('archive_indexes.id').onDelete('cascade'),
    )
    .addColumn('parent', sql`text collate "C"`, (col) => col.notNull())
    .addColumn('name', sql`text collate "C"`, (col) => col.notNull())
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('size', 'bigint', (col) => col.notNull())
    .addColumn('mtime', 'timestamptz')
    .addPrimaryKeyConstraint('archive_items_pk', ['index_id', 'parent', 'name'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('archive_items').ifExists().execute();
  await db.schema.dropTable('archive_indexes').ifExists().execute();
}
