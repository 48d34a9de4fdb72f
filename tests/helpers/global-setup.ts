import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { createLogger } from '../../core/logger';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../stack/embedded-postgres';
import { startTemporalDevServer, type TemporalDevServer } from '../../stack/temporal-dev-server';
import { freePorts } from './ports';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    temporalAddress: string;
  }
}

let postgres: EmbeddedPostgres | undefined;
let temporal: TemporalDevServer | undefined;
let dataDir: string | undefined;

/**
 * One real PostgreSQL server and one real Temporal dev server for the whole run; each test file
 * takes its own database (`createTestDatabase`) and its own task queue, so files stay independent.
 */
export async function setup(project: TestProject): Promise<void> {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'borgflow-test-services-'));
  await chmod(dataDir, 0o755);
  const logger = createLogger({ level: 'warn', name: 'test-services', pretty: false });
  const [postgresPort, temporalPort, temporalUiPort] = await freePorts(3);
  [postgres, temporal] = await Promise.all([
    startEmbeddedPostgres({ dataDir, port: postgresPort, logger }),
    startTemporalDevServer({
      dataDir,
      port: temporalPort,
      uiPort: temporalUiPort,
      namespace: 'default',
      logger,
    }),
  ]);
  project.provide('postgresUrl', postgres.url);
  project.provide('temporalAddress', temporal.address);
}

export async function teardown(): Promise<void> {
  await Promise.all([temporal?.stop(), postgres?.stop()]);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}
