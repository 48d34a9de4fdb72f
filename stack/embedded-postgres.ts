import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import type { Logger } from '../core/logger';
import { ManagedProcess } from './managed-process';

const run = promisify(execFile);

const DATABASE_NAME = 'borgflow';
const SUPERUSER = 'borgflow';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  logger: Logger;
}

export interface EmbeddedPostgres {
  url: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * Runs a private PostgreSQL server under `DATA_DIR/postgres`, on loopback only, with a generated
 * password. `initdb` and `postgres` refuse to run as root, so as root the server runs as the
 * unprivileged `postgres` account, which then owns its data directory.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  const { logger } = options;
  const binDir = findPostgresBinaries();
  const root = path.join(options.dataDir, 'postgres');
  const dataDir = path.join(root, 'data');
  const socketDir = path.join(root, 'run');
  const owner = await serverAccount();
  await mkdir(socketDir, { recursive: true, mode: 0o700 });
  await mkdir(path.join(options.dataDir, 'logs'), { recursive: true, mode: 0o700 });
  if (owner) {
    await chown(socketDir, owner.uid, owner.gid);
    // The server account must be able to pass through DATA_DIR (not list or read it).
    const { mode } = await stat(options.dataDir);
    await chmod(options.dataDir, mode | 0o001);
  }
  const password = await readOrCreatePassword(root);

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    logger.info({ dataDir }, 'initialising embedded postgresql');
    await initCluster(binDir, root, dataDir, password, owner);
  }
  const server = new ManagedProcess({
    name: 'postgresql',
    command: path.join(binDir, 'postgres'),
    args: [
      ...['-D', dataDir, '-p', String(options.port), '-k', socketDir],
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    ],
    runAs: owner,
    output: { logFile: path.join(options.dataDir, 'logs', 'postgresql.log') },
    logger,
  });
  const url = `postgres://${SUPERUSER}:${password}@127.0.0.1:${options.port}/${DATABASE_NAME}`;
  await waitUntilAccepting(server, options.port, password, options.dataDir);
  logger.info({ port: options.port }, 'embedded postgresql ready');

  return {
    url,
    process: server,
    // SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, write a checkpoint.
    stop: async () => void (await server.stop('SIGINT', 30_000)),
  };
}

function findPostgresBinaries(): string {
  const candidates = readdirSafe('/usr/lib/postgresql')
    .filter((version) => /^\d+$/.test(version))
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => `/usr/lib/postgresql/${version}/bin`);
  const found = candidates.find((dir) => existsSync(path.join(dir, 'initdb')));
  if (found) return found;
  throw new Error(
    'PostgreSQL server binaries not found (install the Debian package "postgresql", ' +
      'or set DATABASE_URL to use an existing server)',
  );
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

async function serverAccount(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);

    return { uid: Number(stdout.trim()), gid: Number(gid.trim()) };
  } catch {
    throw new Error('running as root needs the unprivileged "postgres" account to own PostgreSQL');
  }
}

async function readOrCreatePassword(root: string): Promise<string> {
  const file = path.join(root, '.password');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  await mkdir(root, { recursive: true, mode: 0o700 });
  const password = randomBytes(24).toString('base64url');
  await writeFile(file, password + '\n', { mode: 0o600 });

  return password;
}

async function initCluster(
  binDir: string,
  root: string,
  dataDir: string,
  password: string,
  owner: { uid: number; gid: number } | undefined,
): Promise<void> {
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  // initdb reads the password from a file; this copy is readable only by the server account and
  // is removed as soon as initdb has read it.
  const passwordFile = path.join(root, `.initdb-password-${process.pid}`);
  await writeFile(passwordFile, password + '\n', { mode: 0o600 });
  if (owner) {
    await chown(root, owner.uid, owner.gid);
    await chown(dataDir, owner.uid, owner.gid);
    await chown(passwordFile, owner.uid, owner.gid);
  }
  try {
    const args = [
      ...['-D', dataDir, '-U', SUPERUSER, '--pwfile', passwordFile],
      ...['--auth-host=scram-sha-256', '--auth-local=scram-sha-256', '--encoding=UTF8'],
      '--locale=C.UTF-8',
    ];
    const privileges = owner
      ? [`--reuid=${owner.uid}`, `--regid=${owner.gid}`, '--clear-groups']
      : [];
    await run('setpriv', [...privileges, '--', path.join(binDir, 'initdb'), ...args]);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim().split('\n').slice(-3).join(' ');
    throw new Error(`initdb failed: ${stderr ?? String(error)}`, { cause: error });
  } finally {
    await rm(passwordFile, { force: true });
  }
}

async function waitUntilAccepting(
  server: ManagedProcess,
  port: number,
  password: string,
  dataDir: string,
): Promise<void> {
  const deadline = Date.now() + 60_000;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (!server.isRunning) {
      const logFile = path.join(dataDir, 'logs', 'postgresql.log');
      throw new Error(`embedded postgresql stopped during start-up: ${await logTail(logFile)}`);
    }
    try {
      await ensureDatabase(port, password);
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  await server.stop('SIGINT', 10_000);
  throw new Error(`embedded postgresql did not accept connections: ${String(lastError)}`);
}

async function ensureDatabase(port: number, password: string): Promise<void> {
  const admin = postgres({
    host: '127.0.0.1',
    port,
    user: SUPERUSER,
    password,
    database: 'postgres',
    max: 1,
    connect_timeout: 2,
    onnotice: () => {},
  });
  try {
    const rows = await admin`select 1 from pg_database where datname = ${DATABASE_NAME}`;
    if (rows.length === 0) await admin.unsafe(`create database ${DATABASE_NAME}`);
  } finally {
    await admin.end({ timeout: 1 });
  }
}

async function logTail(file: string): Promise<string> {
  try {
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    return lines.slice(-3).join(' | ');
  } catch {
    return '(no log)';
  }
}
