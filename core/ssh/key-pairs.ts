import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

export type SshKeyType = 'ed25519' | 'rsa';

export interface SshKeyPair {
  type: SshKeyType;
  privateKey: string;
  /** `ssh-ed25519 AAAA… borgflow-<id>` */
  publicKey: string;
  fingerprint: string;
}

const KEYGEN_TIMEOUT_MS = 60_000;
const RSA_BITS = '4096';

/** Generates a key pair with the real ssh-keygen; the comment names the Borgflow key id. */
export async function generateSshKeyPair(type: SshKeyType, keyId: string): Promise<SshKeyPair> {
  return withPrivateDirectory(async (dir) => {
    const file = path.join(dir, 'id');
    const bits = type === 'rsa' ? ['-b', RSA_BITS] : [];
    await execa(
      'ssh-keygen',
      ['-q', '-t', type, ...bits, '-N', '', '-C', `borgflow-${keyId}`, '-f', file],
      { timeout: KEYGEN_TIMEOUT_MS, stdin: 'ignore' },
    );
    const privateKey = await readFile(file, 'utf8');
    const publicKey = (await readFile(`${file}.pub`, 'utf8')).trim();
    const { fingerprint } = await describePublicKey(dir, publicKey);

    return { type, privateKey, publicKey, fingerprint };
  });
}

/** Size in bits and SHA256 fingerprint of a public key, as `ssh-keygen -l` reports them. */
export async function describePublicKey(dir: string, publicKey: string) {
  const file = path.join(dir, 'described.pub');
  await writeFile(file, `${publicKey}\n`, { mode: 0o600 });
  const { stdout } = await execa('ssh-keygen', ['-l', '-E', 'sha256', '-f', file], {
    timeout: KEYGEN_TIMEOUT_MS,
    stdin: 'ignore',
  });
  const match = /^(\d+) (SHA256:\S+)/.exec(stdout);
  if (!match) throw new Error(`ssh-keygen -l printed an unexpected line: ${stdout.slice(0, 200)}`);

  return { bits: Number(match[1]), fingerprint: match[2] };
}

/** Key material touches the disk only inside a fresh 0700 directory that is always removed. */
export async function withPrivateDirectory<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'borgflow-keygen-'));
  try {
    await chmod(dir, 0o700);
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The base64 blob of a public key line: what identifies the key in an authorized_keys file. */
export function publicKeyBlob(publicKey: string): string {
  const blob = publicKey.trim().split(/\s+/)[1];
  if (!blob) throw new Error('not an OpenSSH public key line');
  return blob;
}

/** Borg's size notation: digits and an optional K, M, G, T or P. */
export const STORAGE_QUOTA = /^[1-9]\d{0,15}[KMGTP]?$/;

/** Characters that would break out of the quoted `command="…"` option or its shell quoting. */
const UNSAFE_IN_COMMAND = /["'\\\n\r\0]/;

/** What `borg serve` on the server is limited to, beyond the repository path. */
export interface ServeRestrictions {
  /** `--append-only`: the key can add archives but never delete or prune. */
  appendOnly?: boolean;
  /** `--storage-quota`, e.g. `500G`. */
  storageQuota?: string;
}

/**
 * An authorized_keys line that lets the key run nothing but `borg serve` below one path.
 * `restrict` also turns off forwarding, pty and the like; see sshd(8), AUTHORIZED_KEYS FILE FORMAT.
 */
export function restrictedAuthorizedKeysLine(
  options: {
    publicKey: string;
    restrictToPath: string;
    /** The borg executable on the server, when it is not `borg` on the PATH. */
    remoteBorg?: string;
  } & ServeRestrictions,
): string {
  const { publicKey, restrictToPath, remoteBorg = 'borg', appendOnly, storageQuota } = options;
  for (const word of [restrictToPath, remoteBorg]) {
    if (UNSAFE_IN_COMMAND.test(word)) {
      throw new TypeError(`cannot put ${JSON.stringify(word)} into an authorized_keys command`);
    }
  }
  if (storageQuota !== undefined && !STORAGE_QUOTA.test(storageQuota)) {
    throw new TypeError(`${JSON.stringify(storageQuota)} is not a borg storage quota such as 500G`);
  }
  const command = [
    shellWord(remoteBorg),
    'serve',
    ...(appendOnly ? ['--append-only'] : []),
    ...(storageQuota ? ['--storage-quota', storageQuota] : []),
    '--restrict-to-path',
    shellWord(restrictToPath),
  ].join(' ');
  return `command="${command}",restrict ${publicKey.trim()}`;
}

// sshd hands the forced command to the user's shell, so a path with spaces must be quoted.
function shellWord(word: string): string {
  if (/^[\w@%+=:,./~-]+$/.test(word)) return word;
  return `'${word}'`;
}
