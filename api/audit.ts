import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../core/db/schema';

export type AuditOutcome = 'success' | 'failure' | 'denied';

/** One entry of the audit trail: what was attempted on which target, and how it ended. */
export interface AuditEvent {
  /** Dotted `resource.verb`, e.g. `user.create`, `run.cancel`. */
  action: string;
  /** What was acted on, e.g. `user:01J…` or `repository:01J…`. */
  target?: string | null;
  outcome: AuditOutcome;
  /** Extra facts; fields named like secrets are dropped before storing. */
  details?: Record<string, unknown>;
  /** Overrides the request's principal, e.g. the username a failed sign-in tried. */
  actor?: { userId: string | null; username: string | null };
}

// A second line of defence: callers should not pass secrets, but if one does it is not stored.
const SECRET_DETAIL_KEYS = new Set([
  'password',
  'currentpassword',
  'newpassword',
  'passphrase',
  'newpassphrase',
  'privatekey',
  'secret',
  'secretkey',
  'token',
  'apitoken',
  'url',
  'appriseurl',
  'authorization',
  'cookie',
]);

/**
 * Appends to `audit_log`. `request` supplies the principal and the client address; pass none for
 * actions the system takes on its own (a scheduled run, a key rotation from the command line).
 */
export async function recordAudit(
  db: Kysely<Database>,
  event: AuditEvent,
  request?: FastifyRequest,
): Promise<void> {
  const principal = request?.principal ?? null;
  const actor = event.actor ?? {
    userId: principal?.userId ?? null,
    username: principal?.username ?? null,
  };
  const details = {
    ...(principal?.tokenId ? { tokenId: principal.tokenId } : {}),
    ...withoutSecrets(event.details ?? {}),
  };
  await db
    .insertInto('audit_log')
    .values({
      user_id: actor.userId,
      username: actor.username,
      action: event.action,
      target: event.target ?? null,
      address: request?.ip ?? null,
      outcome: event.outcome,
      details: Object.keys(details).length > 0 ? details : null,
    })
    .execute();
}

function withoutSecrets(value: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (SECRET_DETAIL_KEYS.has(key.toLowerCase())) continue;
    kept[key] = isPlainObject(inner) ? withoutSecrets(inner) : inner;
  }

  return kept;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
