/**
 * Starts everything Borgflow needs on one machine: PostgreSQL and the Temporal dev server (unless
 * DATABASE_URL / TEMPORAL_ADDRESS point elsewhere), then the worker and the API. Ctrl-C or
 * SIGTERM stops them all in order; if one dies, this command says which and exits non-zero.
 */
import { createLogger } from '../core/logger';
import { exitWithError, loadConfigOrExit } from '../stack/startup';
import { runStack } from '../stack/supervisor';

const config = loadConfigOrExit('start');
const logger = createLogger({ level: config.logLevel, name: 'borgflow' });

runStack(config, logger).then(
  (exitCode) => process.exit(exitCode),
  (error: unknown) => exitWithError('start', error),
);
