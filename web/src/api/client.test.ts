import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, buildUrl, onApiError, request } from './client';

function respond(status: number, body: unknown, contentType = 'application/json'): Response {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return new Response(status === 204 ? null : text, {
    status,
    headers: { 'content-type': contentType },
  });
}

function stubFetch(response: Response | Error) {
  const fetchMock = vi.fn(() =>
    response instanceof Error ? Promise.reject(response) : Promise.resolve(response),
  );
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('request', () => {
  it('sends JSON with same-origin credentials', async () => {
    const fetchMock = stubFetch(respond(200, { user: { id: 'u1' } }));
    const body = await request<{ user: { id: string } }>('/api/auth/login', {
      method: 'POST',
      body: { username: 'admin', password: 'secret' },
    });
    expect(body.user.id).toBe('u1');
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/auth/login');
    expect(init.credentials).toBe('same-origin');
    expect(init.method).toBe('POST');
    expect(init.body).toBe('{"username":"admin","password":"secret"}');
    expect((init.headers as Record<string, string>)['content-type']).toBe('application/json');
  });

  it('maps an error body to an ApiError with code, status, message and field', async () => {
    stubFetch(
      respond(400, {
        error: { code: 'VALIDATION_FAILED', message: 'Name is required.', field: 'body.name' },
      }),
    );
    const error = await request('/api/plans', { method: 'POST', body: {} }).catch(
      (cause: unknown) => cause,
    );
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      status: 400,
      message: 'Name is required.',
      field: 'body.name',
    });
  });

  it('keeps the password-change code so the router can redirect', async () => {
    stubFetch(
      respond(403, { error: { code: 'PASSWORD_CHANGE_REQUIRED', message: 'Change it first.' } }),
    );
    const heard: ApiError[] = [];
    const stop = onApiError((error) => heard.push(error));
    await expect(request('/api/dashboard')).rejects.toMatchObject({
      code: 'PASSWORD_CHANGE_REQUIRED',
      status: 403,
    });
    stop();
    expect(heard.map((error) => error.code)).toEqual(['PASSWORD_CHANGE_REQUIRED']);
  });

  it('gives a plain sentence when the body is not the error shape', async () => {
    stubFetch(respond(502, '<html>Bad gateway</html>', 'text/html'));
    await expect(request('/api/runs')).rejects.toMatchObject({
      code: 'HTTP_502',
      status: 502,
      message: 'The server failed to answer (HTTP 502). Try again shortly.',
    });
  });

  it('reports an unreachable server as a network error', async () => {
    stubFetch(new TypeError('Failed to fetch'));
    await expect(request('/api/runs')).rejects.toMatchObject({
      code: 'NETWORK_ERROR',
      status: 0,
    });
  });

  it('keeps the Retry-After of a 503 so the page can ask again on its own', async () => {
    const body = { error: { code: 'SERVICE_UNAVAILABLE', message: 'Still indexing.' } };
    stubFetch(
      new Response(JSON.stringify(body), {
        status: 503,
        headers: { 'content-type': 'application/json', 'retry-after': '3' },
      }),
    );
    await expect(request('/api/x')).rejects.toMatchObject({ status: 503, retryAfterSeconds: 3 });
  });

  it('returns nothing for 204 and text for plain-text endpoints', async () => {
    stubFetch(respond(204, ''));
    await expect(request('/api/tokens/t1', { method: 'DELETE' })).resolves.toBeUndefined();
    stubFetch(respond(200, 'line one\nline two', 'text/plain'));
    await expect(request('/api/runs/r1/log', { as: 'text' })).resolves.toBe('line one\nline two');
  });
});

describe('buildUrl', () => {
  it('leaves out empty query values and encodes the rest', () => {
    expect(
      buildUrl('/api/runs', { status: 'failed', planId: undefined, cursor: '', limit: 50 }),
    ).toBe('/api/runs?status=failed&limit=50');
    expect(buildUrl('/api/x', { path: 'home/a b&c' })).toBe('/api/x?path=home%2Fa+b%26c');
  });
});
