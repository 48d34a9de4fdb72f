import { pino, type Logger } from 'pino';
import type { LogLevel } from './config';

export type { Logger } from 'pino';

// Redaction is configuration, not care at each call site: any field with one of these names is
// censored wherever it appears in a logged object (two levels deep covers `{ repository: {...} }`).
const SECRET_FIELD_NAMES = [
  'password',
  'currentPassword',
  'newPassword',
  'passphrase',
  'newPassphrase',
  'privateKey',
  'secretKey',
  'token',
  'apiToken',
  'appriseUrl',
  'pingUrl',
  'databaseUrl',
  'authorization',
  'cookie',
];

export const REDACTED_PATHS = [
  ...SECRET_FIELD_NAMES,
  ...SECRET_FIELD_NAMES.map((name) => `*.${name}`),
  ...SECRET_FIELD_NAMES.map((name) => `*.*.${name}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

export interface LoggerOptions {
  level: LogLevel;
  /** Process role shown on every line: `supervisor`, `api`, `worker`. */
  name: string;
  /** Pretty, coloured lines for a person at a terminal; JSON otherwise. */
  pretty?: boolean;
  destination?: pino.DestinationStream;
}

export function createLogger({ level, name, pretty, destination }: LoggerOptions): Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  if (destination) return pino(options, destination);
  if (pretty ?? process.stdout.isTTY) {
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss' } },
    });
  }

  return pino(options);
}
