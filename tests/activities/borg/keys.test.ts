import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BorgError,
  changePassphrase,
  exportKey,
  importKey,
  listArchives,
} from '../../../activities/borg';
import { useTempDirs } from '../../helpers/temp-dir';
import { initialisedRepository, PASSPHRASE } from './fixtures';

const makeDir = useTempDirs('borg-keys-');

describe('exportKey', () => {
  it('returns the key in borg key file form', async () => {
    const repository = await initialisedRepository(makeDir);

    const key = await exportKey(repository);

    expect(key).toMatch(/^BORG_KEY [0-9a-f]{64}\n/);
  });

  it('returns the key in paper form with per-line checksums', async () => {
    const repository = await initialisedRepository(makeDir);

    const key = await exportKey(repository, 'paper');

    expect(key).toContain('To restore key use borg key import --paper');
    expect(key).toMatch(/^ *\d+: [0-9a-f]{6}(?: [0-9a-f]{2,6})* - [0-9a-f]{2}$/m);
  });

  it('returns an HTML page with the key as QR code', async () => {
    const repository = await initialisedRepository(makeDir);

    const key = await exportKey(repository, 'qr-html');

    expect(key).toContain('<html');
  });
});

describe('importKey', () => {
  it('restores a lost key file so the repository opens again', async () => {
    const repository = await initialisedRepository(makeDir, 'keyfile-blake2');
    const key = await exportKey(repository);
    const keysDir = path.join(repository.environment.baseDir, '.config', 'borg', 'keys');
    for (const file of await readdir(keysDir)) await rm(path.join(keysDir, file));
    await expect(listArchives(repository)).rejects.toBeInstanceOf(BorgError);

    const result = await importKey(repository, key);

    expect(result.status).toBe('success');
    expect(await listArchives(repository)).toEqual([]);
  });
});

describe('changePassphrase', () => {
  it('makes the new passphrase the only one that opens the repository', async () => {
    const repository = await initialisedRepository(makeDir);
    const newPassphrase = 'a-brand-new-passphrase-81d2';

    await changePassphrase(repository, newPassphrase);

    const withNew = { ...repository, target: { ...repository.target, passphrase: newPassphrase } };
    expect(await listArchives(withNew)).toEqual([]);
    const error = await listArchives(repository).catch((reason: unknown) => reason);
    expect(error).toMatchObject({ type: 'WRONG_PASSPHRASE' });
    expect(JSON.stringify(error)).not.toContain(PASSPHRASE);
  });

  it('changes the passphrase of a keyfile repository', async () => {
    const repository = await initialisedRepository(makeDir, 'keyfile');
    const newPassphrase = 'keyfile-passphrase-2b7e';

    const result = await changePassphrase(repository, newPassphrase);

    expect(result.status).toBe('success');
    const withNew = { ...repository, target: { ...repository.target, passphrase: newPassphrase } };
    expect(await listArchives(withNew)).toEqual([]);
  });
});
