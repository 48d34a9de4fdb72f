import { Kysely } from 'kysely';
import { PostgresJSDialect } from 'kysely-postgres-js';
import postgres from 'postgres';
import type { Database } from './schema';

export interface DatabaseHandle {
  db: Kysely<Database>;
  /** The raw postgres.js client, for what kysely does not cover (LISTEN, COPY). */
  sql: postgres.Sql;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  maxConnections?: number;
  connectTimeoutSeconds?: number;
}

export function openDatabase(url: string, options: DatabaseOptions = {}): DatabaseHandle {
  const sql = postgres(url, {
    max: options.maxConnections ?? 10,
    connect_timeout: options.connectTimeoutSeconds ?? 10,
    onnotice: () => {},
  });
  const db = new Kysely<Database>({ dialect: new PostgresJSDialect({ postgres: sql }) });

  return { db, sql, close: () => db.destroy() };
}

/** Fails fast with a readable reason when the server cannot be reached. */
export async function assertDatabaseReachable(handle: DatabaseHandle): Promise<void> {
  try {
    await handle.sql`select 1`;
  } catch (cause) {
    throw new Error(`cannot reach PostgreSQL: ${describeConnectionError(cause)}`, { cause });
  }
}

function describeConnectionError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: string }).code;
  // postgres.js puts the password-bearing URL in none of these, but keep to the code and reason.
  return code ? `${code} ${error.message.split('\n')[0]}` : error.message.split('\n')[0];
}
