import type {
  LogLevel as TemporalLogLevel,
  LogMetadata,
  Logger as TemporalLogger,
} from '@temporalio/common';
import type { Logger } from '../logger';

const PINO_LEVELS: Record<TemporalLogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** Sends the Temporal SDK's and core's log lines to Borgflow's pino logger. */
export class TemporalPinoLogger implements TemporalLogger {
  /** `quietInfo` logs the SDK's info lines at debug, as for webpack's report on each bundle. */
  constructor(
    private readonly logger: Logger,
    private readonly options: { quietInfo?: boolean } = {},
  ) {}

  log(level: TemporalLogLevel, message: string, meta?: LogMetadata): void {
    const pinoLevel = this.options.quietInfo && level === 'INFO' ? 'debug' : PINO_LEVELS[level];
    this.logger[pinoLevel]({ temporal: true, ...meta }, message);
  }

  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }

  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }

  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }

  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }

  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}
