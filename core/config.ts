import path from 'node:path';

/** Borgflow's settings, read once from the environment at start-up. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Unset: Borgflow runs its own PostgreSQL server under `dataDir`. */
  databaseUrl?: string;
  /** Unset: Borgflow runs the Temporal dev server under `dataDir`. */
  temporalAddress?: string;
  temporalNamespace: string;
  temporalUiUrl: string;
  taskQueue: string;
  logLevel: LogLevel;
  sourceRoots: string[];
  repositoryRoots: string[];
  restoreRoots: string[];
  initialAdminPassword?: string;
  trustProxy: boolean;
  /** Master key for secrets at rest; unset: `dataDir/.secret_key`. */
  secretKey?: string;
  embeddedPostgresPort: number;
  temporalPort: number;
  temporalUiPort: number;
  temporalCliPath?: string;
  /** Loopback port of the worker's Temporal SDK Prometheus exporter; unset: no exporter. */
  workerMetricsPort?: number;
  /** How late a scheduled run missed during downtime may still start, in hours. */
  scheduleCatchupHours: number;
  /** How long a run waits for an operator after a failed step; 0 fails the run at once. */
  operatorWaitHours: number;
  /** How long a first listing of an archive waits for its indexing before answering 503. */
  archiveIndexWaitSeconds: number;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Every environment variable Borgflow reads, with its default as the README documents it. */
export const CONFIG_VARIABLES = {
  PORT: '8081',
  HOST: '127.0.0.1',
  DATA_DIR: './data',
  DATABASE_URL: '(unset: embedded PostgreSQL under DATA_DIR)',
  TEMPORAL_ADDRESS: '(unset: embedded Temporal dev server)',
  TEMPORAL_NAMESPACE: 'default',
  TEMPORAL_UI_URL: 'http://127.0.0.1:8233 (the dev server UI)',
  TASK_QUEUE: 'borgflow',
  LOG_LEVEL: 'info',
  SOURCE_ROOTS: '/',
  REPOSITORY_ROOTS: 'DATA_DIR/repositories',
  RESTORE_ROOTS: 'DATA_DIR/restores',
  INITIAL_ADMIN_PASSWORD: 'admin123',
  TRUST_PROXY: 'false',
  SECRET_KEY: '(unset: DATA_DIR/.secret_key, created on first start)',
  EMBEDDED_POSTGRES_PORT: '54329',
  TEMPORAL_PORT: '7233',
  TEMPORAL_UI_PORT: '8233',
  TEMPORAL_CLI_PATH: '(unset: temporal on PATH, then the SDK download)',
  WORKER_METRICS_PORT: '(unset: no worker metrics exporter)',
  SCHEDULE_CATCHUP_HOURS: '4',
  OPERATOR_WAIT_HOURS: '24',
  ARCHIVE_INDEX_WAIT_SECONDS: '20',
} as const;

export type ConfigVariable = keyof typeof CONFIG_VARIABLES;

/** Raised with one line per bad variable, so start-up can print them and exit non-zero. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

type Env = Partial<Record<string, string>>;

const DEFAULT_CATCHUP_HOURS = 4;
const DEFAULT_OPERATOR_WAIT_HOURS = 24;
/** A month: a run held open longer blocks its repository's other runs past any use. */
const MAX_OPERATOR_WAIT_HOURS = 31 * 24;
/** A year: past that, a run that finally catches up is of no use to anyone. */
const MAX_CATCHUP_HOURS = 366 * 24;
// Short by default: reverse proxies commonly cut a request off after 60 s, and a person watching
// the archive browser sees the indexed count grow between answers instead of one long spinner.
const DEFAULT_INDEX_WAIT_SECONDS = 20;
const MAX_INDEX_WAIT_SECONDS = 600;

export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const problems: string[] = [];
  const read = (name: ConfigVariable): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const port = (name: ConfigVariable, fallback: number) =>
    parsePort(name, read(name), fallback, problems);

  const dataDir = path.resolve(cwd, read('DATA_DIR') ?? './data');
  const temporalUiPort = port('TEMPORAL_UI_PORT', 8233);
  const config: Config = {
    port: port('PORT', 8081),
    host: read('HOST') ?? '127.0.0.1',
    dataDir,
    databaseUrl: parseDatabaseUrl(read('DATABASE_URL'), problems),
    temporalAddress: parseHostPort('TEMPORAL_ADDRESS', read('TEMPORAL_ADDRESS'), problems),
    temporalNamespace: read('TEMPORAL_NAMESPACE') ?? 'default',
    temporalUiUrl: parseUrl('TEMPORAL_UI_URL', read('TEMPORAL_UI_URL'), problems) ?? '',
    taskQueue: read('TASK_QUEUE') ?? 'borgflow',
    logLevel: parseLogLevel(read('LOG_LEVEL'), problems),
    sourceRoots: parseRoots('SOURCE_ROOTS', read('SOURCE_ROOTS'), ['/'], problems),
    repositoryRoots: parseRoots(
      'REPOSITORY_ROOTS',
      read('REPOSITORY_ROOTS'),
      [path.join(dataDir, 'repositories')],
      problems,
    ),
    restoreRoots: parseRoots(
      'RESTORE_ROOTS',
      read('RESTORE_ROOTS'),
      [path.join(dataDir, 'restores')],
      problems,
    ),
    initialAdminPassword: read('INITIAL_ADMIN_PASSWORD'),
    trustProxy: parseBoolean('TRUST_PROXY', read('TRUST_PROXY'), false, problems),
    secretKey: parseSecretKey(read('SECRET_KEY'), problems),
    embeddedPostgresPort: port('EMBEDDED_POSTGRES_PORT', 54329),
    temporalPort: port('TEMPORAL_PORT', 7233),
    temporalUiPort,
    temporalCliPath: read('TEMPORAL_CLI_PATH'),
    workerMetricsPort: read('WORKER_METRICS_PORT') ? port('WORKER_METRICS_PORT', 0) : undefined,
    scheduleCatchupHours: parseCatchupHours(read('SCHEDULE_CATCHUP_HOURS'), problems),
    operatorWaitHours: parseOperatorWaitHours(read('OPERATOR_WAIT_HOURS'), problems),
    archiveIndexWaitSeconds: parseIndexWaitSeconds(read('ARCHIVE_INDEX_WAIT_SECONDS'), problems),
  };
  if (!config.temporalUiUrl) {
    config.temporalUiUrl = config.temporalAddress
      ? 'http://127.0.0.1:8080'
      : `http://127.0.0.1:${temporalUiPort}`;
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return config;
}

function parsePort(name: string, value: string | undefined, fallback: number, problems: string[]) {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (/^\d+$/.test(value) && port >= 1 && port <= 65535) return port;
  problems.push(`${name}: expected a TCP port between 1 and 65535, got "${value}"`);
  return fallback;
}

// Temporal refuses a catch-up window under ten seconds and treats zero as its one-year default.
function parseCatchupHours(value: string | undefined, problems: string[]): number {
  if (value === undefined) return DEFAULT_CATCHUP_HOURS;
  const hours = Number(value);
  if (/^\d+$/.test(value) && hours >= 1 && hours <= MAX_CATCHUP_HOURS) return hours;
  problems.push(
    `SCHEDULE_CATCHUP_HOURS: expected a whole number of hours from 1 to ${MAX_CATCHUP_HOURS}, got "${value}"`,
  );
  return DEFAULT_CATCHUP_HOURS;
}

function parseOperatorWaitHours(value: string | undefined, problems: string[]): number {
  if (value === undefined) return DEFAULT_OPERATOR_WAIT_HOURS;
  const hours = Number(value);
  if (/^\d+$/.test(value) && hours <= MAX_OPERATOR_WAIT_HOURS) return hours;
  problems.push(
    `OPERATOR_WAIT_HOURS: expected a whole number of hours from 0 to ${MAX_OPERATOR_WAIT_HOURS}, got "${value}"`,
  );
  return DEFAULT_OPERATOR_WAIT_HOURS;
}

function parseIndexWaitSeconds(value: string | undefined, problems: string[]): number {
  if (value === undefined) return DEFAULT_INDEX_WAIT_SECONDS;
  const seconds = Number(value);
  if (/^\d+$/.test(value) && seconds >= 1 && seconds <= MAX_INDEX_WAIT_SECONDS) return seconds;
  problems.push(
    `ARCHIVE_INDEX_WAIT_SECONDS: expected a whole number of seconds from 1 to ${MAX_INDEX_WAIT_SECONDS}, got "${value}"`,
  );
  return DEFAULT_INDEX_WAIT_SECONDS;
}

function parseRoots(
  name: string,
  value: string | undefined,
  fallback: string[],
  problems: string[],
): string[] {
  if (value === undefined) return fallback;
  const roots = value.split(':').filter((root) => root !== '');
  const relative = roots.filter((root) => !path.isAbsolute(root));
  if (roots.length === 0 || relative.length > 0) {
    const shown = relative.length > 0 ? relative.join(', ') : '(empty)';
    problems.push(`${name}: expected colon-separated absolute paths, got ${shown}`);
    return fallback;
  }

  return roots.map((root) => path.resolve(root));
}

function parseBoolean(
  name: string,
  value: string | undefined,
  fallback: boolean,
  problems: string[],
): boolean {
  if (value === undefined) return fallback;
  if (['1', 'true', 'yes'].includes(value.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(value.toLowerCase())) return false;
  problems.push(`${name}: expected true or false, got "${value}"`);
  return fallback;
}

function parseLogLevel(value: string | undefined, problems: string[]): LogLevel {
  if (value === undefined) return 'info';
  const level = value.toLowerCase() as LogLevel;
  if (LOG_LEVELS.includes(level)) return level;
  problems.push(`LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
  return 'info';
}

function parseDatabaseUrl(value: string | undefined, problems: string[]) {
  if (value === undefined) return undefined;
  // The URL carries a password: never echo it back in the error.
  if (/^postgres(ql)?:\/\/[^/]/.test(value) && URL.canParse(value)) return value;
  problems.push('DATABASE_URL: expected a postgres:// or postgresql:// URL');
  return undefined;
}

function parseHostPort(name: string, value: string | undefined, problems: string[]) {
  if (value === undefined) return undefined;
  if (/^[\w.-]+:\d{1,5}$/.test(value) || /^\[[\d:a-fA-F]+\]:\d{1,5}$/.test(value)) return value;
  problems.push(`${name}: expected host:port, got "${value}"`);
  return undefined;
}

function parseUrl(name: string, value: string | undefined, problems: string[]) {
  if (value === undefined) return undefined;
  if (/^https?:\/\//.test(value) && URL.canParse(value)) return value.replace(/\/+$/, '');
  problems.push(`${name}: expected an http:// or https:// URL, got "${value}"`);
  return undefined;
}

function parseSecretKey(value: string | undefined, problems: string[]) {
  if (value === undefined) return undefined;
  if (Buffer.from(value, 'base64').length === 32 || /^[0-9a-fA-F]{64}$/.test(value)) return value;
  problems.push('SECRET_KEY: expected 32 bytes as base64 or 64 hex characters');
  return undefined;
}
