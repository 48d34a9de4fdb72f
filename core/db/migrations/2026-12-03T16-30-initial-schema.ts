import { sql, type Kysely } from 'kysely';

// Frozen once released: later changes get a migration of their own.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('username', 'text', (col) => col.notNull().unique())
    .addColumn('password_hash', 'text', (col) => col.notNull())
    .addColumn('role', 'text', (col) =>
      col.notNull().check(sql`role in ('admin', 'operator', 'viewer')`),
    )
    .addColumn('must_change_password', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  // Column names follow what lucia's PostgreSQL adapter reads and writes.
  await db.schema
    .createTable('user_sessions')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('user_id', 'text', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('user_id', 'text', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('token_hash', 'text', (col) => col.notNull().unique())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz')
    .addColumn('last_used_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('ssh_keys')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('type', 'text', (col) => col.notNull().check(sql`type in ('ed25519', 'rsa')`))
    .addColumn('public_key', 'text', (col) => col.notNull())
    .addColumn('fingerprint', 'text', (col) => col.notNull())
    .addColumn('private_key_secret', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) =>
      col
        .notNull()
        .defaultTo('active')
        .check(sql`status in ('active', 'retired')`),
    )
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('retired_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('repositories')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull().unique())
    .addColumn('location', 'text', (col) => col.notNull().unique())
    .addColumn('encryption', 'text', (col) => col.notNull())
    .addColumn('passphrase_secret', 'text')
    .addColumn('pending_passphrase_secret', 'text')
    .addColumn('key_escrow_secret', 'text')
    .addColumn('ssh_key_id', 'text', (col) => col.references('ssh_keys.id'))
    .addColumn('remote_path', 'text')
    .addColumn('upload_rate_limit_kbps', 'integer')
    .addColumn('allow_relocated', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('host_key_fingerprint', 'text')
    .addColumn('stats', 'jsonb')
    .addColumn('last_archive_at', 'timestamptz')
    .addColumn('last_check_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('plans')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull().unique())
    .addColumn('repository_id', 'text', (col) =>
      col.notNull().references('repositories.id').onDelete('restrict'),
    )
    .addColumn('sources', 'jsonb', (col) => col.notNull())
    .addColumn('excludes', 'jsonb', (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('compression', 'text', (col) => col.notNull().defaultTo('zstd,3'))
    .addColumn('archive_name_template', 'text', (col) => col.notNull().defaultTo('{plan}-{now}'))
    .addColumn('schedule_cron', 'text')
    .addColumn('schedule_timezone', 'text')
    .addColumn('retention', 'jsonb')
    .addColumn('prune_after_backup', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('compact_after_prune', 'boolean', (col) => col.notNull().defaultTo(true))
    .addColumn('check_after_backup', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('hooks', 'jsonb', (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('options', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('enabled', 'boolean', (col) => col.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  // A mirror of each run for fast listing; Temporal stays the truth for runs in flight.
  await db.schema
    .createTable('runs')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('trigger', 'text', (col) => col.notNull())
    .addColumn('repository_id', 'text', (col) =>
      col.references('repositories.id').onDelete('set null'),
    )
    .addColumn('plan_id', 'text', (col) => col.references('plans.id').onDelete('set null'))
    .addColumn('input', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('progress', 'jsonb')
    .addColumn('stats', 'jsonb')
    .addColumn('error', 'jsonb')
    .addColumn('waiting_reason', 'text')
    .addColumn('log_path', 'text')
    .addColumn('retry_of', 'text')
    .addColumn('retried_by', 'text')
    .addColumn('temporal_run_id', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('runs_created_at_idx')
    .on('runs')
    .columns(['created_at desc', 'id desc'])
    .execute();
  await db.schema.createIndex('runs_repository_idx').on('runs').column('repository_id').execute();
  await db.schema.createIndex('runs_plan_idx').on('runs').column('plan_id').execute();
  await db.schema.createIndex('runs_status_idx').on('runs').column('status').execute();

  await db.schema
    .createTable('notification_channels')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('url_secret', 'text', (col) => col.notNull())
    .addColumn('url_masked', 'text', (col) => col.notNull())
    .addColumn('events', 'jsonb', (col) => col.notNull())
    .addColumn('repository_ids', 'jsonb')
    .addColumn('plan_ids', 'jsonb')
    .addColumn('enabled', 'boolean', (col) => col.notNull().defaultTo(true))
    .addColumn('last_sent_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('user_id', 'text')
    .addColumn('username', 'text')
    .addColumn('action', 'text', (col) => col.notNull())
    .addColumn('target', 'text')
    .addColumn('address', 'text')
    .addColumn('outcome', 'text', (col) => col.notNull())
    .addColumn('details', 'jsonb')
    .execute();

  // What each worker host reports about itself when it starts (borg version, host id).
  await db.schema
    .createTable('workers')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('hostname', 'text', (col) => col.notNull())
    .addColumn('task_queue', 'text', (col) => col.notNull())
    .addColumn('borg_version', 'text')
    .addColumn('started_at', 'timestamptz', (col) => col.notNull())
    .addColumn('last_seen_at', 'timestamptz', (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'workers',
    'audit_log',
    'notification_channels',
    'runs',
    'plans',
    'repositories',
    'ssh_keys',
    'api_tokens',
    'user_sessions',
    'users',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
