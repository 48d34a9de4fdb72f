import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type postgres from 'postgres';
import type { Config } from '../core/config';
import type { Database } from '../core/db/schema';
import type { Logger } from '../core/logger';
import type { SecretBox } from '../core/secrets/secret-box';

/** What the API is built from; `bin/api.ts` wires the real ones, tests may hand in their own. */
export interface ApiDependencies {
  config: Config;
  logger: Logger;
  db: Kysely<Database>;
  /** The same pool as `db`, as postgres.js; the session store's adapter speaks it. */
  sql: postgres.Sql;
  secrets: SecretBox;
  temporal: Client;
}
