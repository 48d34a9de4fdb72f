import { sql, type Kysely } from 'kysely';
import type { Database } from '../../core/db/schema';

/** Tuning for the login lockout; the defaults suit one person guessing, not a botnet. */
export interface LoginThrottleOptions {
  /** Failures allowed before the first lockout. */
  maxFailures: number;
  /** The first lockout; each further failure doubles it. */
  baseLockoutMs: number;
  maxLockoutMs: number;
  /** Failures older than this (counted from the latest one) are forgotten. */
  forgetAfterMs: number;
  now: () => number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = {
  maxFailures: 5,
  baseLockoutMs: 30_000,
  maxLockoutMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
  now: () => Date.now(),
};

/** How long a key stays locked after its `failures`-th failure in a row; 0 below the limit. */
export function lockoutMs(failures: number, options: LoginThrottleOptions): number {
  if (failures < options.maxFailures) return 0;
  const doublings = Math.min(failures - options.maxFailures, 30);
  return Math.min(options.baseLockoutMs * 2 ** doublings, options.maxLockoutMs);
}

/**
 * Counts failed sign-ins per key (a username, an address) in PostgreSQL and locks a key out with
 * exponential backoff. Kept in the database so a restart forgives nobody and several API
 * processes share one count.
 */
export class LoginThrottle {
  private readonly options: LoginThrottleOptions;

  constructor(
    private readonly db: Kysely<Database>,
    options: Partial<LoginThrottleOptions> = {},
  ) {
    this.options = { ...DEFAULT_LOGIN_THROTTLE, ...options };
  }

  /** Seconds until the most restrictive of `keys` may try again; 0 when none is locked. */
  async retryAfterSeconds(keys: string[]): Promise<number> {
    const now = this.options.now();
    const rows = await this.db
      .selectFrom('login_failures')
      .select('locked_until')
      .where('key', 'in', keys)
      .where('locked_until', '>', new Date(now))
      .execute();
    const lockedUntil = Math.max(0, ...rows.map((row) => row.locked_until?.getTime() ?? 0));

    return lockedUntil > now ? Math.ceil((lockedUntil - now) / 1000) : 0;
  }

  async recordFailure(keys: string[]): Promise<void> {
    const now = new Date(this.options.now());
    const forgottenBefore = new Date(now.getTime() - this.options.forgetAfterMs);
    await this.db.transaction().execute(async (trx) => {
      for (const key of keys) {
        // One statement per key: concurrent failures each count.
        const { failures } = await trx
          .insertInto('login_failures')
          .values({ key, failures: 1, last_failure_at: now })
          .onConflict((conflict) =>
            conflict.column('key').doUpdateSet({
              failures: sql<number>`case when login_failures.last_failure_at < ${forgottenBefore}
                then 1 else login_failures.failures + 1 end`,
              last_failure_at: now,
            }),
          )
          .returning('failures')
          .executeTakeFirstOrThrow();
        const lockout = lockoutMs(failures, this.options);
        if (lockout > 0) {
          await trx
            .updateTable('login_failures')
            .set({ locked_until: new Date(now.getTime() + lockout) })
            .where('key', '=', key)
            .execute();
        }
      }
      // Random usernames must not grow the table without bound.
      await trx
        .deleteFrom('login_failures')
        .where('last_failure_at', '<', forgottenBefore)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
        .execute();
    });
  }

  async recordSuccess(keys: string[]): Promise<void> {
    await this.db.deleteFrom('login_failures').where('key', 'in', keys).execute();
  }
}

export function loginThrottleKeys(username: string, address: string): string[] {
  return [`user:${username.toLowerCase()}`, `address:${address}`];
}
