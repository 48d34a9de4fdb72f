/** Tuning for the login lockout; the defaults suit one person guessing, not a botnet. */
export interface LoginThrottleOptions {
  /** Failures allowed before the first lockout. */
  maxFailures: number;
  /** The first lockout; each further failure doubles it. */
  baseLockoutMs: number;
  maxLockoutMs: number;
  /** Failures older than this (counted from the latest one) are forgotten. */
  forgetAfterMs: number;
  /** Bound on remembered keys, so random usernames cannot grow memory without limit. */
  maxEntries: number;
  now: () => number;
}

interface Entry {
  failures: number;
  lastFailureAt: number;
  lockedUntil: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = {
  maxFailures: 5,
  baseLockoutMs: 30_000,
  maxLockoutMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
  maxEntries: 10_000,
  now: () => Date.now(),
};

/**
 * Counts failed sign-ins per key (a username, an address) and locks a key out with exponential
 * backoff. Kept in memory: one API process serves each installation, and a restart forgiving
 * everyone is acceptable.
 */
export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly options: LoginThrottleOptions;

  constructor(options: Partial<LoginThrottleOptions> = {}) {
    this.options = { ...DEFAULT_LOGIN_THROTTLE, ...options };
  }

  /** Seconds until the most restrictive of `keys` may try again; 0 when none is locked. */
  retryAfterSeconds(keys: string[]): number {
    const now = this.options.now();
    const lockedUntil = Math.max(0, ...keys.map((key) => this.current(key, now)?.lockedUntil ?? 0));

    return lockedUntil > now ? Math.ceil((lockedUntil - now) / 1000) : 0;
  }

  recordFailure(keys: string[]): void {
    const now = this.options.now();
    for (const key of keys) {
      const entry = this.current(key, now) ?? { failures: 0, lastFailureAt: now, lockedUntil: 0 };
      entry.failures += 1;
      entry.lastFailureAt = now;
      if (entry.failures >= this.options.maxFailures) {
        const doublings = entry.failures - this.options.maxFailures;
        const lockoutMs = this.options.baseLockoutMs * 2 ** Math.min(doublings, 30);
        entry.lockedUntil = now + Math.min(lockoutMs, this.options.maxLockoutMs);
      }
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    this.evictOverflow();
  }

  recordSuccess(keys: string[]): void {
    for (const key of keys) this.entries.delete(key);
  }

  private current(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && now - entry.lastFailureAt > this.options.forgetAfterMs) {
      this.entries.delete(key);
      return undefined;
    }

    return entry;
  }

  // Maps iterate in insertion order and failures re-insert their key: the first is the stalest.
  private evictOverflow(): void {
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) return;
      this.entries.delete(oldest);
    }
  }
}

export function loginThrottleKeys(username: string, address: string): string[] {
  return [`user:${username.toLowerCase()}`, `address:${address}`];
}
