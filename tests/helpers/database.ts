import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../core/db/database';
import { migrateToLatest } from '../../core/db/migrate';

/** A fresh, migrated database on the shared test server; dropped again by `handle.close()`. */
export async function createTestDatabase(): Promise<DatabaseHandle & { url: string }> {
  const serverUrl = inject('postgresUrl');
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();

  const url = withDatabase(serverUrl, name);
  const handle = openDatabase(url, { maxConnections: 5 });
  await migrateToLatest(handle);

  return {
    ...handle,
    url,
    close: async () => {
      await handle.close();
      const cleanup = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
