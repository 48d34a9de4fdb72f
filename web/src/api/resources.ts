import { ApiError, request } from './client';

/**
 * Reads a list answer, `{ <key>: [...] }` as the API sends every list. An answer without that list
 * is a client and server out of step: it fails loudly instead of showing an empty page.
 */
export async function getList<T>(path: string, key: string): Promise<T[]> {
  const body = await request<Record<string, unknown> | null>(path);
  const list = body?.[key];
  if (!Array.isArray(list)) {
    throw new ApiError(
      'UNEXPECTED_RESPONSE',
      200,
      `The server's answer to ${path} holds no list named ${key}; reload the page after an update.`,
    );
  }
  return list as T[];
}

/** A resource comes back as itself. */
export const getOne = <T>(path: string) => request<T>(path);

export const send = <T>(method: 'POST' | 'PATCH' | 'PUT', path: string, body?: unknown) =>
  request<T>(path, { method, body });

export const id = (value: string) => encodeURIComponent(value);
