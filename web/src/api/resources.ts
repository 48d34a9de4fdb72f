import { request } from './client';

/**
 * The contract names the wrapper key for some responses and not for others; accepting both a
 * bare value and `{ key: value }` keeps the UI working whichever the server settles on.
 */
export function unwrapList<T>(body: unknown, key: string): T[] {
  if (Array.isArray(body)) return body as T[];
  const inner = (body as Record<string, unknown> | null)?.[key];
  return Array.isArray(inner) ? (inner as T[]) : [];
}

export function unwrapOne<T>(body: unknown, key: string): T {
  const inner = (body as Record<string, unknown> | null)?.[key];
  if (inner && typeof inner === 'object' && !Array.isArray(inner)) return inner as T;
  return body as T;
}

export async function getList<T>(path: string, key: string): Promise<T[]> {
  return unwrapList<T>(await request<unknown>(path), key);
}

export async function getOne<T>(path: string, key: string): Promise<T> {
  return unwrapOne<T>(await request<unknown>(path), key);
}

export async function send<T>(
  method: 'POST' | 'PATCH' | 'PUT',
  path: string,
  key: string,
  body?: unknown,
): Promise<T> {
  return unwrapOne<T>(await request<unknown>(path, { method, body }), key);
}

export const id = (value: string) => encodeURIComponent(value);
