import { sql, type Kysely } from 'kysely';
import { ulid } from 'ulid';
import type { Config } from '../../core/config';
import type { Database } from '../../core/db/schema';
import type { Logger } from '../../core/logger';
import { hashPassword } from './passwords';

export const DEFAULT_ADMIN_USERNAME = 'admin';
export const DEFAULT_ADMIN_PASSWORD = 'admin123';

/**
 * Creates `admin` on the very first start, when no user exists yet, flagged so that every route
 * but the password change refuses it until the known initial password is replaced.
 * Returns whether it was created.
 */
export async function ensureDefaultAdmin(
  db: Kysely<Database>,
  config: Pick<Config, 'initialAdminPassword'>,
  logger: Logger,
): Promise<boolean> {
  const passwordHash = await hashPassword(config.initialAdminPassword ?? DEFAULT_ADMIN_PASSWORD);
  // One statement, so an API started twice at once cannot create two first users.
  const result = await sql`
    insert into users (id, username, password_hash, role, must_change_password)
    select ${ulid()}, ${DEFAULT_ADMIN_USERNAME}, ${passwordHash}, 'admin', true
    where not exists (select 1 from users)
    on conflict (username) do nothing
  `.execute(db);

  const isCreated = Number(result.numAffectedRows ?? 0) > 0;
  if (isCreated) {
    logger.warn(
      { username: DEFAULT_ADMIN_USERNAME },
      'default administrator created: sign in and change its password',
    );
  }

  return isCreated;
}
