import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMasterKey, SecretBox, SecretDecryptionError } from '../../core/secrets/secret-box';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips a secret and never stores it in the clear', () => {
    const sealed = box.encrypt('correct horse battery staple', 'repository:r1:passphrase');

    expect(sealed).not.toContain('correct horse');
    expect(box.decrypt(sealed, 'repository:r1:passphrase')).toBe('correct horse battery staple');
  });

  it('refuses a ciphertext moved to another record', () => {
    const sealed = box.encrypt('secret', 'repository:r1:passphrase');

    expect(() => box.decrypt(sealed, 'repository:r2:passphrase')).toThrow(SecretDecryptionError);
  });

  it('refuses a ciphertext sealed under another master key', () => {
    const sealed = new SecretBox(randomBytes(32)).encrypt('secret', 'ctx');

    expect(() => box.decrypt(sealed, 'ctx')).toThrow(/another key/);
  });

  it('detects tampering', () => {
    const sealed = box.encrypt('secret', 'ctx');
    const parts = sealed.split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');

    expect(() => box.decrypt(parts.join('.'), 'ctx')).toThrow(SecretDecryptionError);
  });
});

describe('loadMasterKey', () => {
  it('creates DATA_DIR/.secret_key with mode 0600 once and reuses it', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'borgflow-key-'));
    const first = await loadMasterKey(dataDir);
    const second = await loadMasterKey(dataDir);
    const file = path.join(dataDir, '.secret_key');

    expect(first.equals(second)).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64').equals(first)).toBe(true);
  });

  it('prefers SECRET_KEY over the file', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'borgflow-key-'));
    const key = await loadMasterKey(dataDir, 'ab'.repeat(32));

    expect(key.toString('hex')).toBe('ab'.repeat(32));
  });
});
