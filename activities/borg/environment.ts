import type { BorgEnvironment, BorgTarget } from './types';

const FALLBACK_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** File descriptor borg reads the passphrase from; the extra stdio pipe after stderr. */
export const PASSPHRASE_FD = 3;

/**
 * The complete environment borg runs with. Nothing is inherited from the worker, whose own
 * environment holds database credentials and other secrets.
 * Variables are described at https://borgbackup.readthedocs.io/en/1.2-maintenance/usage/general.html#environment-variables
 */
export function baseEnvironment(environment: BorgEnvironment): Record<string, string> {
  return {
    PATH: process.env.PATH ?? FALLBACK_PATH,
    HOME: environment.baseDir,
    BORG_BASE_DIR: environment.baseDir,
    // Borg's JSON output is only UTF-8 under a UTF-8 locale; UTC makes its timestamps unambiguous.
    LANG: 'C.UTF-8',
    TZ: 'UTC',
    BORG_HOST_ID: environment.hostId,
    BORG_HOSTNAME_IS_UNIQUE: 'yes',
    BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: 'no',
    BORG_RELOCATED_REPO_ACCESS_IS_OK: 'no',
    BORG_CHECK_I_KNOW_WHAT_I_AM_DOING: 'NO',
    BORG_DELETE_I_KNOW_WHAT_I_AM_DOING: 'NO',
    BORG_DISPLAY_PASSPHRASE: 'no',
  };
}

export interface CommandEnvironmentOptions {
  target?: BorgTarget;
  borgRsh?: string;
  hasModernExitCodes: boolean;
  /** Prompt overrides and other variables one operation needs, e.g. for `check --repair`. */
  extra?: Record<string, string>;
}

export function commandEnvironment(
  environment: BorgEnvironment,
  options: CommandEnvironmentOptions,
): Record<string, string> {
  const variables = baseEnvironment(environment);
  if (options.target?.allowRelocated) variables.BORG_RELOCATED_REPO_ACCESS_IS_OK = 'yes';
  if (options.target?.passphrase !== undefined) variables.BORG_PASSPHRASE_FD = `${PASSPHRASE_FD}`;
  if (options.borgRsh) variables.BORG_RSH = options.borgRsh;
  if (options.hasModernExitCodes) variables.BORG_EXIT_CODES = 'modern';
  return { ...variables, ...options.extra };
}
