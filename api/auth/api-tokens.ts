import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../core/db/schema';
import type { Role } from './access';

// A fixed prefix lets secret scanners (GitHub, gitleaks) recognise a leaked token.
export const TOKEN_PREFIX = 'bfl_';
const TOKEN_PATTERN = /^bfl_[A-Za-z0-9_-]{43}$/;
// Writing `last_used_at` on every request would turn each read into a write.
const LAST_USED_RESOLUTION_MS = 60_000;

export function generateApiToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** Only this digest is stored: a database dump does not hand out working tokens. */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface TokenOwner {
  tokenId: string;
  userId: string;
  username: string;
  role: Role;
  mustChangePassword: boolean;
}

/** The owner of a valid, unexpired token, or null; marks the token as used. */
export async function resolveApiToken(
  db: Kysely<Database>,
  token: string,
  now = new Date(),
): Promise<TokenOwner | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select([
      'api_tokens.id as tokenId',
      'api_tokens.expires_at as expiresAt',
      'api_tokens.last_used_at as lastUsedAt',
      'users.id as userId',
      'users.username',
      'users.role',
      'users.must_change_password as mustChangePassword',
    ])
    .where('api_tokens.token_hash', '=', hashApiToken(token))
    .executeTakeFirst();

  if (!row || (row.expiresAt && row.expiresAt <= now)) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db
      .updateTable('api_tokens')
      .set({ last_used_at: now })
      .where('id', '=', row.tokenId)
      .execute();
  }

  return {
    tokenId: row.tokenId,
    userId: row.userId,
    username: row.username,
    role: row.role,
    mustChangePassword: row.mustChangePassword,
  };
}
