import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

/** A fresh key pair made by the real ssh-keygen, for import tests; `passphrase` protects it. */
export async function makePrivateKey(
  type: 'ed25519' | 'rsa' | 'ecdsa',
  passphrase = '',
  bits?: number,
): Promise<{ privateKey: string; publicKey: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'borgflow-key-fixture-'));
  try {
    const file = path.join(dir, 'id');
    const size = bits ? ['-b', String(bits)] : [];
    await execa('ssh-keygen', [
      '-q',
      '-t',
      type,
      ...size,
      '-N',
      passphrase,
      '-C',
      'fixture',
      '-f',
      file,
    ]);

    return {
      privateKey: await readFile(file, 'utf8'),
      publicKey: (await readFile(`${file}.pub`, 'utf8')).trim(),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
