import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { createLogger } from '../../core/logger';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../stack/embedded-postgres';
import { startTemporalDevServer, type TemporalDevServer } from '../../stack/temporal-dev-server';
import { auditWorkflowHistories } from './history-audit';
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

/**
 * Before the services stop, every workflow history of the run is searched for secrets; a leak
 * fails the run.
 */
export async function teardown(): Promise<void> {
  try {
    if (temporal) {
      const audit = await auditWorkflowHistories(temporal.address);
      if (audit.leaks.length > 0) {
        // vitest reports an error thrown here but still exits 0: set the code ourselves.
        process.exitCode = 1;
        throw new Error(
          `secrets found in ${audit.leaks.length} of ${audit.checked} workflow histories:\n` +
            audit.leaks.join('\n'),
        );
      }
      console.info(`history audit: ${audit.checked} workflow histories hold no secret`);
    }
  } finally {
    await Promise.all([temporal?.stop(), postgres?.stop()]);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}
