import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { Logger } from '../core/logger';
import { SEARCH_ATTRIBUTES } from '../core/temporal/search-attributes';
import { ManagedProcess } from './managed-process';

export interface TemporalDevServerOptions {
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  cliPath?: string;
  logger: Logger;
}

export interface TemporalDevServer {
  address: string;
  stop(): Promise<void>;
}

/**
 * Runs `temporal server start-dev` with its SQLite database under `DATA_DIR/temporal`, so runs
 * survive restarts. Without a `temporal` binary on this machine, falls back to the SDK's own
 * download, which needs internet access.
 */
export async function startTemporalDevServer(
  options: TemporalDevServerOptions,
): Promise<TemporalDevServer> {
  const dir = path.join(options.dataDir, 'temporal');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await mkdir(path.join(options.dataDir, 'logs'), { recursive: true, mode: 0o700 });
  const address = `127.0.0.1:${options.port}`;
  const cli = findTemporalCli(options.cliPath);
  if (!cli) return startDownloadedDevServer(options, dir, address);

  const server = new ManagedProcess({
    name: 'temporal',
    command: cli,
    args: devServerArgs(options, dir),
    output: { logFile: path.join(options.dataDir, 'logs', 'temporal.log') },
    logger: options.logger,
  });
  await waitUntilServing(address, server);
  options.logger.info({ address, uiPort: options.uiPort, cli }, 'temporal dev server ready');

  return { address, stop: async () => void (await server.stop('SIGTERM', 20_000)) };
}

function devServerArgs(options: TemporalDevServerOptions, dir: string): string[] {
  const attributes = SEARCH_ATTRIBUTES.flatMap((key) => [
    '--search-attribute',
    `${key.name}=${key.type === 'KEYWORD' ? 'Keyword' : key.type}`,
  ]);

  return [
    ...['server', 'start-dev', '--ip', '127.0.0.1'],
    ...['--port', String(options.port), '--ui-port', String(options.uiPort)],
    ...['--db-filename', path.join(dir, 'temporal.db'), '--namespace', options.namespace],
    ...['--log-format', 'json', '--log-level', 'warn'],
    ...attributes,
  ];
}

/** `TEMPORAL_CLI_PATH`, then `temporal` on PATH, then the copy the install script puts in .tools. */
export function findTemporalCli(configured?: string): string | undefined {
  if (configured) {
    if (existsSync(configured)) return configured;
    throw new Error(`TEMPORAL_CLI_PATH: no file at ${configured}`);
  }
  const pathDirs = (process.env.PATH ?? '').split(':').filter(Boolean);
  const projectTools = path.resolve(import.meta.dirname, '..', '.tools', 'venv', 'bin');

  return [...pathDirs, projectTools]
    .map((dir) => path.join(dir, 'temporal'))
    .find((candidate) => existsSync(candidate));
}

async function startDownloadedDevServer(
  options: TemporalDevServerOptions,
  dir: string,
  address: string,
): Promise<TemporalDevServer> {
  options.logger.warn('no temporal CLI found: downloading the dev server through the SDK');
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'cached-download' },
      ip: '127.0.0.1',
      port: options.port,
      ui: true,
      uiPort: options.uiPort,
      dbFilename: path.join(dir, 'temporal.db'),
      namespace: options.namespace,
      searchAttributes: [...SEARCH_ATTRIBUTES],
    },
  });

  return { address, stop: () => env.teardown() };
}

async function waitUntilServing(address: string, server: ManagedProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (!server.isRunning) {
      throw new Error(
        'temporal dev server stopped during start-up (see DATA_DIR/logs/temporal.log)',
      );
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  await server.stop('SIGTERM', 5_000);
  throw new Error(`temporal dev server did not answer on ${address}: ${String(lastError)}`);
}
