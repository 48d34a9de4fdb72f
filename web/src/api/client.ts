/** An error answered by the API (or the network), carrying the stable code scripts rely on. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly field?: string,
    /** From a 503's `Retry-After`: the server asks to be asked again after this many seconds. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type QueryValue = string | number | boolean | undefined | null;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  query?: Record<string, QueryValue>;
  signal?: AbortSignal;
  /** `text` for plain-text endpoints such as a run's log. */
  as?: 'json' | 'text';
}

type ErrorListener = (error: ApiError) => void;
const errorListeners = new Set<ErrorListener>();

/**
 * Hears every failed request. The router uses it to react to a lost session or to the
 * password-change requirement wherever the request came from.
 */
export function onApiError(listener: ErrorListener): () => void {
  errorListeners.add(listener);
  return () => errorListeners.delete(listener);
}

export function buildUrl(path: string, query?: Record<string, QueryValue>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { method = 'GET', body, query, signal, as = 'json' } = options;
  const headers: Record<string, string> = {
    accept: as === 'text' ? 'text/plain' : 'application/json',
  };
  if (body !== undefined) headers['content-type'] = 'application/json';

  let response: Response;
  try {
    response = await fetch(buildUrl(path, query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw notify(
      new ApiError('NETWORK_ERROR', 0, 'The server could not be reached. Check your connection.'),
    );
  }

  if (!response.ok) throw notify(await toApiError(response));
  if (response.status === 204) return undefined as T;
  if (as === 'text') return (await response.text()) as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

function notify(error: ApiError): ApiError {
  for (const listener of errorListeners) listener(error);
  return error;
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; field?: unknown };
}

/** Maps an error response to an `ApiError`, falling back to a plain sentence for non-JSON bodies. */
export async function toApiError(response: Response): Promise<ApiError> {
  let body: ErrorBody | undefined;
  try {
    body = (await response.json()) as ErrorBody;
  } catch {
    body = undefined;
  }
  const detail = body?.error;
  if (detail && typeof detail.code === 'string' && typeof detail.message === 'string') {
    const field = typeof detail.field === 'string' ? detail.field : undefined;
    const retryAfter = Number(response.headers.get('retry-after') ?? Number.NaN);
    const retryAfterSeconds =
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined;
    return new ApiError(detail.code, response.status, detail.message, field, retryAfterSeconds);
  }
  return new ApiError(`HTTP_${response.status}`, response.status, fallbackMessage(response.status));
}

function fallbackMessage(status: number): string {
  if (status === 401) return 'Your session has ended. Sign in again.';
  if (status === 403) return 'You are not allowed to do this.';
  if (status === 404) return 'This item no longer exists.';
  if (status === 429) return 'Too many requests. Wait a moment and try again.';
  if (status >= 500) return `The server failed to answer (HTTP ${status}). Try again shortly.`;
  return `The request failed (HTTP ${status}).`;
}

/** A sentence for a person, whatever was thrown. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
