import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts } from '../helpers/ports';
import { startCommand, waitForHttp, type StackProcess } from '../helpers/stack-process';

// Starts the stack exactly as the README says (`./scripts/start.sh`), on a temporary DATA_DIR and free
// ports, twice: what the first start stored must be found again after the second.
describe('scripts/start.sh', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let ports: { api: number; postgres: number; temporal: number; temporalUi: number };
  const started: StackProcess[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'borgflow-stack-'));
    await chmod(dataDir, 0o755);
    const [api, postgresPort, temporal, temporalUi] = await freePorts(4);
    ports = { api, postgres: postgresPort, temporal, temporalUi };
    env = {
      DATA_DIR: dataDir,
      PORT: String(api),
      EMBEDDED_POSTGRES_PORT: String(postgresPort),
      TEMPORAL_PORT: String(temporal),
      TEMPORAL_UI_PORT: String(temporalUi),
      // What an operator reads in a terminal by default, to check it is worth reading.
      LOG_LEVEL: 'info',
    };
  });

  afterAll(async () => {
    for (const stack of started) {
      if (stack.child.exitCode === null) stack.child.kill('SIGKILL');
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  async function startStack(): Promise<StackProcess> {
    const stack = startCommand('./scripts/start.sh', [], env);
    started.push(stack);
    try {
      await waitForHttp(`http://127.0.0.1:${ports.api}/readyz`, 150_000);
    } catch (error) {
      throw new Error(`${String(error)}\n--- output ---\n${stack.output()}`, { cause: error });
    }

    return stack;
  }

  async function stopStack(stack: StackProcess) {
    stack.interrupt();
    return stack.exited;
  }

  async function withTemporal<T>(use: (client: Client) => Promise<T>): Promise<T> {
    const connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
    try {
      return await use(new Client({ connection }));
    } finally {
      await connection.close();
    }
  }

  async function withDatabase<T>(use: (sql: postgres.Sql) => Promise<T>): Promise<T> {
    const password = (await readFile(path.join(dataDir, 'postgres', '.password'), 'utf8')).trim();
    const sql = postgres({
      host: '127.0.0.1',
      port: ports.postgres,
      user: 'borgflow',
      password,
      database: 'borgflow',
      max: 1,
      onnotice: () => {},
    });
    try {
      return await use(sql);
    } finally {
      await sql.end();
    }
  }

  const workflowId = `probe-smoke-${Date.now()}`;

  // Cold start: initdb, the Temporal dev server, the worker's workflow bundle and the API.
  it('serves /readyz, runs a workflow through the worker and stops cleanly on Ctrl-C', async () => {
    const stack = await startStack();

    const ready = (await (await fetch(`http://127.0.0.1:${ports.api}/readyz`)).json()) as Record<
      string,
      unknown
    >;
    expect(ready).toMatchObject({ ok: true, worker: { ok: true } });
    const probe = await withTemporal((client) =>
      client.workflow.execute('probeWorker', { taskQueue: 'borgflow', workflowId, args: [] }),
    );
    expect(probe).toMatchObject({
      taskQueue: 'borgflow',
      borgVersion: expect.stringMatching(/^1\./),
    });
    const ui = await fetch(`http://127.0.0.1:${ports.temporalUi}/`);
    expect(ui.status).toBe(200);

    const exit = await stopStack(stack);
    expect(exit.code, stack.output()).toBe(0);
    // The worker says it built its workflow bundle, without webpack's list of every module.
    expect(stack.output()).toContain('workflow bundle built');
    expect(stack.output()).not.toContain('modules by path');
    await expect(fetch(`http://127.0.0.1:${ports.api}/healthz`)).rejects.toThrow();
    await expect(fetch(`http://127.0.0.1:${ports.temporalUi}/`)).rejects.toThrow();
  }, 240_000);

  it('finds the same data in PostgreSQL and the same workflow in Temporal after a restart', async () => {
    const stack = await startStack();

    const description = await withTemporal((client) =>
      client.workflow.getHandle(workflowId).describe(),
    );
    expect(description.status.name).toBe('COMPLETED');
    const workers = await withDatabase((sql) => sql`select id, borg_version from workers`);
    expect(workers).toHaveLength(1);
    expect(workers[0].id).toBe((await readFile(path.join(dataDir, 'host-id'), 'utf8')).trim());

    const exit = await stopStack(stack);
    expect(exit.code, stack.output()).toBe(0);
  }, 240_000);
});
