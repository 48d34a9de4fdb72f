import type { FastifyRequest } from 'fastify';

export const STATE_CHANGING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The origin the browser says the request came from: `Origin`, else the origin of `Referer`
 * (some browsers omit `Origin` on same-origin requests). Undefined when neither is usable.
 */
export function claimedOrigin(request: FastifyRequest): string | undefined {
  const origin = request.headers.origin ?? request.headers.referer;
  if (!origin || origin === 'null') return undefined;

  return normalizedOrigin(origin);
}

/**
 * The request's own origin. `protocol` and `host` come from `X-Forwarded-Proto` and
 * `X-Forwarded-Host` only when Fastify's `trustProxy` is on; otherwise from the socket and `Host`.
 */
export function ownOrigin(request: FastifyRequest): string | undefined {
  return normalizedOrigin(`${request.protocol}://${request.host}`);
}

// URL drops default ports and lowercases the host, so `HTTP://Example.com:80` equals `http://example.com`.
function normalizedOrigin(text: string): string | undefined {
  if (!URL.canParse(text)) return undefined;
  const { origin } = new URL(text);

  return origin === 'null' ? undefined : origin;
}
