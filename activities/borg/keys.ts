import { runBorg } from './borg-process';
import type { BorgCommandResult, BorgRepository, BorgRunOptions } from './types';

/** `plain` is borg's key file text; `paper` a checksummed hex form to print and type back. */
export type KeyExportFormat = 'plain' | 'paper' | 'qr-html';

const EXPORT_FORMAT_FLAGS: Record<KeyExportFormat, string[]> = {
  plain: [],
  paper: ['--paper'],
  'qr-html': ['--qr-html'],
};

/**
 * Returns the repository key, still protected by the passphrase. Without both, the data of a
 * repokey repository whose key is damaged, or of a keyfile repository whose host is lost, is gone.
 */
export async function exportKey(
  { target, environment }: BorgRepository,
  format: KeyExportFormat = 'plain',
  options?: BorgRunOptions,
): Promise<string> {
  const result = await runBorg({
    command: ['key', 'export'],
    args: [...EXPORT_FORMAT_FLAGS[format], '--', target.location],
    target,
    environment,
    options,
    isStdoutSecret: true,
  });

  return result.stdout;
}

/** Restores a key exported in the `plain` format, e.g. after the repository's copy was damaged. */
export async function importKey(
  { target, environment }: BorgRepository,
  keyText: string,
  options?: BorgRunOptions,
): Promise<BorgCommandResult> {
  const result = await runBorg({
    command: ['key', 'import'],
    args: ['--', target.location, '-'],
    target,
    environment,
    options,
    stdin: keyText,
    extraSecrets: [keyText],
  });

  return { status: result.status, warnings: result.warnings };
}

/** Re-encrypts the repository key with a new passphrase; the target holds the current one. */
export async function changePassphrase(
  { target, environment }: BorgRepository,
  newPassphrase: string,
  options?: BorgRunOptions,
): Promise<BorgCommandResult> {
  if (!newPassphrase) throw new TypeError('changePassphrase needs a non-empty new passphrase');

  const result = await runBorg({
    command: ['key', 'change-passphrase'],
    args: ['--', target.location],
    target,
    environment,
    options,
    // Borg 1.x reads the new passphrase only from BORG_NEW_PASSPHRASE or a terminal; the
    // passphrase file descriptor is consumed by the current passphrase. The variable is set on
    // this one child process and never in the worker's own environment.
    extraEnv: { BORG_NEW_PASSPHRASE: newPassphrase },
    extraSecrets: [newPassphrase],
  });

  return { status: result.status, warnings: result.warnings };
}
