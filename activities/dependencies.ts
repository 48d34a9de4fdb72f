import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Config } from '../core/config';
import type { Database } from '../core/db/schema';
import type { Logger } from '../core/logger';
import type { SecretBox } from '../core/secrets/secret-box';

/** What every activity may use; the worker builds it once, tests hand in their own. */
export interface ActivityDependencies {
  db: Kysely<Database>;
  config: Config;
  logger: Logger;
  secrets: SecretBox;
  /** This worker host's stable identity, also borg's `BORG_HOST_ID`. */
  hostId: string;
  /** Client of the Temporal cluster this worker belongs to (repository locks, liveness checks). */
  temporal: Client;
  /** `borg --version` as detected when the worker started; null when borg is missing. */
  borgVersion: string | null;
}
