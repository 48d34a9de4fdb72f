import type { EncryptionMode } from '../../api/types';

export interface EncryptionOption {
  value: EncryptionMode;
  label: string;
  explanation: string;
  needsPassphrase: boolean;
}

export const DEFAULT_ENCRYPTION: EncryptionMode = 'repokey-blake2';

export const ENCRYPTION_OPTIONS: EncryptionOption[] = [
  {
    value: 'repokey-blake2',
    label: 'repokey-blake2 (recommended)',
    explanation:
      'Data is encrypted; the key lives inside the repository, protected by your passphrase. ' +
      'Fast on most machines. Export the key and keep it with the passphrase somewhere safe.',
    needsPassphrase: true,
  },
  {
    value: 'repokey',
    label: 'repokey',
    explanation:
      'Like repokey-blake2 but authenticates with SHA-256, which is faster only on CPUs with ' +
      'SHA hardware support.',
    needsPassphrase: true,
  },
  {
    value: 'keyfile-blake2',
    label: 'keyfile-blake2',
    explanation:
      'Data is encrypted; the key stays on this server, not in the repository. Someone who ' +
      'steals the repository cannot even try passphrases, but losing this server without a ' +
      'key export means losing the backups.',
    needsPassphrase: true,
  },
  {
    value: 'keyfile',
    label: 'keyfile',
    explanation: 'Like keyfile-blake2 with SHA-256 authentication.',
    needsPassphrase: true,
  },
  {
    value: 'authenticated-blake2',
    label: 'authenticated-blake2',
    explanation:
      'Not encrypted: anyone with access to the repository can read the data, but tampering ' +
      'is detected.',
    needsPassphrase: true,
  },
  {
    value: 'authenticated',
    label: 'authenticated',
    explanation: 'Like authenticated-blake2 with SHA-256. Not encrypted.',
    needsPassphrase: true,
  },
  {
    value: 'none',
    label: 'none',
    explanation:
      'No encryption and no authentication. Only for repositories on storage you fully trust.',
    needsPassphrase: false,
  },
];

export function encryptionOption(mode: EncryptionMode): EncryptionOption {
  return ENCRYPTION_OPTIONS.find((option) => option.value === mode) ?? ENCRYPTION_OPTIONS[0];
}

export const isSshLocation = (location: string) => /^ssh:\/\//i.test(location.trim());

/** Local absolute paths or `ssh://user@host[:port]/path`, the two forms the server accepts. */
export function locationProblem(location: string): string | null {
  const value = location.trim();
  if (!value) return 'Enter a local path or an ssh:// location.';
  if (isSshLocation(value)) {
    return /^ssh:\/\/[^@/\s]+@[^:/\s]+(:\d+)?\/.+/i.test(value)
      ? null
      : 'Use the form ssh://user@host:port/path (the port is optional).';
  }
  return value.startsWith('/') ? null : 'A local path must be absolute, starting with /.';
}
