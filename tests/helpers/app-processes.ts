import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { createTestDatabase } from './database';
import { freePort } from './ports';
import { startCommand, waitForHttp, type StackProcess } from './stack-process';

/** The real API and worker processes (`bin/api.ts`, `bin/worker.ts`) on the shared services. */
export interface AppProcesses {
  baseUrl: string;
  dataDir: string;
  env: Record<string, string>;
  database: Awaited<ReturnType<typeof createTestDatabase>>;
  stop(): Promise<void>;
}

export async function startAppProcesses(
  extraEnv: Record<string, string> = {},
): Promise<AppProcesses> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'borgflow-app-'));
  await chmod(dataDir, 0o755);
  await writeFile(path.join(dataDir, '.secret_key'), randomBytes(32).toString('base64'), {
    mode: 0o600,
  });
  const database = await createTestDatabase();
  const port = await freePort();
  const env = {
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TASK_QUEUE: `e2e-${randomBytes(4).toString('hex')}`,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    SOURCE_ROOTS: dataDir,
    REPOSITORY_ROOTS: path.join(dataDir, 'repositories'),
    RESTORE_ROOTS: path.join(dataDir, 'restores'),
    ...extraEnv,
  };
  const processes: StackProcess[] = ['worker', 'api'].map((name) =>
    startCommand(process.execPath, ['--import', 'tsx', `bin/${name}.ts`], env),
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${baseUrl}/readyz`, 90_000);
  } catch (error) {
    const output = processes.map((child) => child.output()).join('\n');
    throw new Error(`${String(error)}\n${output}`, { cause: error });
  }

  return {
    baseUrl,
    dataDir,
    env,
    database,
    async stop() {
      for (const child of processes) {
        if (child.child.exitCode === null && child.child.signalCode === null) {
          child.child.kill('SIGTERM');
          await child.exited;
        }
      }
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
