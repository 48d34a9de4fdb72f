import type { FastifyRequest } from 'fastify';
import type { RunTrigger } from '../../core/runs';
import { principalOf } from '../auth/access';
import { ApiError } from '../errors';
import type { Requester } from './run-launcher';

const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

export function requesterOf(request: FastifyRequest): Requester {
  const principal = principalOf(request);

  return { userId: principal.userId, username: principal.username };
}

/** A person in the web UI starts `manual` runs; a script with an API token starts `api` runs. */
export function triggerOf(request: FastifyRequest): RunTrigger {
  return principalOf(request).via === 'token' ? 'api' : 'manual';
}

/** The `Idempotency-Key` header, when sent: printable ASCII, at most 200 characters. */
export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const value = request.headers[IDEMPOTENCY_KEY_HEADER];
  if (value === undefined) return undefined;
  if (typeof value === 'string' && IDEMPOTENCY_KEY_PATTERN.test(value)) return value;

  throw new ApiError(
    'VALIDATION_FAILED',
    'Idempotency-Key: expected 1 to 200 printable ASCII characters without spaces.',
    { field: 'headers.idempotency-key' },
  );
}
