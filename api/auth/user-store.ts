import type { Kysely, Transaction } from 'kysely';
import type { Database, UserRow } from '../../core/db/schema';
import type { Role } from './access';

/** A user as the API shows it: never the password hash. */
export interface UserResponse {
  id: string;
  username: string;
  role: Role;
  mustChangePassword: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export function toUserResponse(row: UserRow): UserResponse {
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    mustChangePassword: row.must_change_password,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Usernames are stored in lower case, so sign-in is case-insensitive. */
export function normalizeUsername(username: string): string {
  return username.trim().toLowerCase();
}

export function findUserById(db: Kysely<Database>, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findUserByUsername(
  db: Kysely<Database>,
  username: string,
): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('username', '=', normalizeUsername(username))
    .executeTakeFirst();
}

/**
 * Locks every administrator row for the rest of the transaction and counts them, so two
 * concurrent demotions cannot both see "another admin remains".
 */
export async function lockAdminCount(trx: Transaction<Database>): Promise<number> {
  const admins = await trx
    .selectFrom('users')
    .select('id')
    .where('role', '=', 'admin')
    .forUpdate()
    .execute();

  return admins.length;
}
