import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the receiver got it. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: Date;
}

/** The JSON body Apprise's `json://` service posts. */
export interface AppriseJsonBody {
  version: string;
  title: string;
  message: string;
  type: string;
}

/**
 * A real HTTP server on loopback that stands in for the outside world: the target of an Apprise
 * `json://` URL, and a healthchecks-style ping endpoint. It records every request and answers 200.
 */
export interface Receiver {
  port: number;
  requests: ReceivedRequest[];
  /** Holds every answer back this long, to stand in for a slow service. */
  delayMs: number;
  /** An Apprise URL that posts to this receiver under `path`. */
  appriseUrl(path?: string): string;
  /** Bodies of the Apprise messages posted under `path`. */
  messages(path?: string): AppriseJsonBody[];
  /** Resolves once `predicate` holds for the recorded requests, or rejects after `timeoutMs`. */
  waitFor(predicate: (requests: ReceivedRequest[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const state = { delayMs: 0 };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: new Date(),
      });
      setTimeout(
        () => response.writeHead(200, { 'content-type': 'text/plain' }).end('OK'),
        state.delayMs,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const underPath = (path: string) => requests.filter((request) => request.path === path);

  return {
    port,
    requests,
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(value: number) {
      state.delayMs = value;
    },
    appriseUrl: (path = '/') => `json://127.0.0.1:${port}${path}`,
    messages: (path = '/') =>
      underPath(path)
        .filter((request) => request.method === 'POST')
        .map((request) => JSON.parse(request.body) as AppriseJsonBody),
    async waitFor(predicate, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(requests)) {
        if (Date.now() > deadline) {
          const seen = requests.map((request) => `${request.method} ${request.path}`).join(', ');
          throw new Error(`the receiver did not get the expected requests; got: ${seen}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
