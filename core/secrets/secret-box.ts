import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const FORMAT_VERSION = 'v1';

export class SecretDecryptionError extends Error {
  constructor(reason: string) {
    super(`cannot decrypt a stored secret: ${reason}`);
    this.name = 'SecretDecryptionError';
  }
}

/**
 * Encrypts secrets at rest (passphrases, private keys, notification URLs) with AES-256-GCM.
 *
 * The context (for example `repository:<id>:passphrase`) is bound as additional authenticated
 * data, so a ciphertext copied into another row or column fails to decrypt instead of leaking.
 */
export class SecretBox {
  /** Short fingerprint of the master key, stored in each ciphertext to detect a wrong key. */
  readonly keyId: string;

  constructor(private readonly masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('the master key must be 32 bytes');
    this.keyId = createHash('sha256').update(masterKey).digest('hex').slice(0, 8);
  }

  encrypt(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.masterKey, iv).setAAD(Buffer.from(context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url'));

    return [FORMAT_VERSION, this.keyId, ...parts].join('.');
  }

  decrypt(sealed: string, context: string): string {
    const [version, keyId, iv, tag, ciphertext] = sealed.split('.');
    if (version !== FORMAT_VERSION || ciphertext === undefined) {
      throw new SecretDecryptionError('unknown format');
    }
    if (keyId !== this.keyId) throw new SecretDecryptionError('it was sealed with another key');
    try {
      const decipher = createDecipheriv(ALGORITHM, this.masterKey, Buffer.from(iv, 'base64url'))
        .setAAD(Buffer.from(context))
        .setAuthTag(Buffer.from(tag, 'base64url'));

      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SecretDecryptionError('it was altered or belongs to another record');
    }
  }
}

export function parseMasterKey(text: string): Buffer {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== 32) throw new Error('the master key must be 32 bytes (base64 or hex)');

  return key;
}

export function secretKeyFile(dataDir: string): string {
  return path.join(dataDir, '.secret_key');
}

/** The master key from `SECRET_KEY`, else `DATA_DIR/.secret_key`, created 0600 when missing. */
export async function loadMasterKey(dataDir: string, secretKey?: string): Promise<Buffer> {
  if (secretKey) return parseMasterKey(secretKey);
  const file = secretKeyFile(dataDir);
  try {
    return parseMasterKey(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const key = randomBytes(32);
  // 'wx' fails if another process created the file meanwhile; then that key wins.
  try {
    await writeFile(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return parseMasterKey(await readFile(file, 'utf8'));
  }
  await chmod(file, 0o600);

  return key;
}
