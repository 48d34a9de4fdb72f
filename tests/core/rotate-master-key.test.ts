import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../core/db/database';
import { rotateMasterKey, writeKeyFile } from '../../core/secrets/rotate-master-key';
import { loadMasterKey, SecretBox } from '../../core/secrets/secret-box';
import { createTestDatabase } from '../helpers/database';

const REPOSITORY = '01J0REP0S1T0RY000000000000';
const SSH_KEY = '01J0SSHKEY0000000000000000';
const CHANNEL = '01J0CHANNEL000000000000000';
const USER = '01J0USER000000000000000000';
const PLAN = '01J0PLAN000000000000000000';

let database: DatabaseHandle & { url: string };
let dataDir: string;
let oldKey: Buffer;

beforeEach(async () => {
  database = await createTestDatabase();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'borgflow-rotate-'));
  oldKey = randomBytes(32);
  await writeKeyFile(path.join(dataDir, '.secret_key'), oldKey);
});

afterEach(async () => {
  await database.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function seed(box: SecretBox, passphraseContext = `repository:${REPOSITORY}:passphrase`) {
  const { db } = database;
  await db
    .insertInto('users')
    .values({ id: USER, username: 'u', password_hash: 'x', role: 'admin' })
    .execute();
  await db
    .insertInto('user_sessions')
    .values({ id: 'session1', user_id: USER, expires_at: new Date(Date.now() + 60_000) })
    .execute();
  await db
    .insertInto('ssh_keys')
    .values({
      id: SSH_KEY,
      name: 'k',
      type: 'ed25519',
      public_key: 'ssh-ed25519 AAAA',
      fingerprint: 'SHA256:x',
      private_key_secret: box.encrypt('PRIVATE-KEY-TEXT', `ssh-key:${SSH_KEY}:private`),
    })
    .execute();
  await db
    .insertInto('repositories')
    .values({
      id: REPOSITORY,
      name: 'r',
      location: '/repo',
      encryption: 'repokey-blake2',
      passphrase_secret: box.encrypt('old-passphrase', passphraseContext),
      pending_passphrase_secret: box.encrypt(
        'next-passphrase',
        `repository:${REPOSITORY}:pending-passphrase`,
      ),
      key_escrow_secret: box.encrypt('BORG_KEY escrow', `repository:${REPOSITORY}:key-escrow`),
      ssh_key_id: SSH_KEY,
    })
    .execute();
  await db
    .insertInto('notification_channels')
    .values({
      id: CHANNEL,
      name: 'n',
      url_secret: box.encrypt('slack://a/b/c', `notification:${CHANNEL}:url`),
      url_masked: 'slack://****/****/****',
      events: [],
    })
    .execute();
  await db
    .insertInto('plans')
    .values({
      id: PLAN,
      name: 'p',
      repository_id: REPOSITORY,
      sources: ['/srv'],
      schedule_cron: null,
      schedule_timezone: null,
      retention: null,
      ping_url_secret: box.encrypt('https://hc.example/ping/token-1', `plan:${PLAN}:ping-url`),
    })
    .execute();
}

async function readSecrets() {
  const repository = await database.db
    .selectFrom('repositories')
    .selectAll()
    .executeTakeFirstOrThrow();
  const sshKey = await database.db.selectFrom('ssh_keys').selectAll().executeTakeFirstOrThrow();
  const channel = await database.db
    .selectFrom('notification_channels')
    .selectAll()
    .executeTakeFirstOrThrow();

  const plan = await database.db.selectFrom('plans').selectAll().executeTakeFirstOrThrow();

  return {
    pingUrl: plan.ping_url_secret!,
    passphrase: repository.passphrase_secret!,
    pending: repository.pending_passphrase_secret!,
    escrow: repository.key_escrow_secret!,
    privateKey: sshKey.private_key_secret,
    url: channel.url_secret,
  };
}

describe('rotateMasterKey', () => {
  it('re-encrypts every secret column, replaces the key file (0600) and ends every session', async () => {
    const oldBox = new SecretBox(oldKey);
    await seed(oldBox);
    const newKey = randomBytes(32);
    const keyFile = path.join(dataDir, '.secret_key');

    const summary = await rotateMasterKey({ db: database.db, oldKey, newKey, keyFile });

    expect(summary.sessionsEnded).toBe(1);
    expect(Object.values(summary.reencrypted)).toEqual([1, 1, 1, 1, 1, 1]);
    const box = new SecretBox(newKey);
    const sealed = await readSecrets();
    expect(box.decrypt(sealed.passphrase, `repository:${REPOSITORY}:passphrase`)).toBe(
      'old-passphrase',
    );
    expect(box.decrypt(sealed.pending, `repository:${REPOSITORY}:pending-passphrase`)).toBe(
      'next-passphrase',
    );
    expect(box.decrypt(sealed.escrow, `repository:${REPOSITORY}:key-escrow`)).toBe(
      'BORG_KEY escrow',
    );
    expect(box.decrypt(sealed.privateKey, `ssh-key:${SSH_KEY}:private`)).toBe('PRIVATE-KEY-TEXT');
    expect(box.decrypt(sealed.url, `notification:${CHANNEL}:url`)).toBe('slack://a/b/c');
    expect(box.decrypt(sealed.pingUrl, `plan:${PLAN}:ping-url`)).toBe(
      'https://hc.example/ping/token-1',
    );
    expect(() => oldBox.decrypt(sealed.passphrase, `repository:${REPOSITORY}:passphrase`)).toThrow(
      /another key/,
    );
    expect((await loadMasterKey(dataDir)).equals(newKey)).toBe(true);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect(await readdir(dataDir)).toEqual(['.secret_key']);
    const sessions = await database.db.selectFrom('user_sessions').selectAll().execute();
    expect(sessions).toEqual([]);
  });

  it('changes nothing when one secret cannot be decrypted', async () => {
    const oldBox = new SecretBox(oldKey);
    await seed(oldBox, 'repository:someone-else:passphrase');
    const before = await readSecrets();
    const keyFile = path.join(dataDir, '.secret_key');
    const keyText = await readFile(keyFile, 'utf8');

    const attempt = rotateMasterKey({ db: database.db, oldKey, newKey: randomBytes(32), keyFile });

    await expect(attempt).rejects.toThrow(/repositories\.passphrase_secret of row/);
    expect(await readSecrets()).toEqual(before);
    expect(await readFile(keyFile, 'utf8')).toBe(keyText);
    expect(await readdir(dataDir)).toEqual(['.secret_key']);
    expect(await database.db.selectFrom('user_sessions').selectAll().execute()).toHaveLength(1);
  });

  it('writes no file when the key comes from SECRET_KEY', async () => {
    await seed(new SecretBox(oldKey));
    const newKey = randomBytes(32);

    await rotateMasterKey({ db: database.db, oldKey, newKey });

    const sealed = await readSecrets();
    expect(new SecretBox(newKey).decrypt(sealed.url, `notification:${CHANNEL}:url`)).toBe(
      'slack://a/b/c',
    );
    expect((await loadMasterKey(dataDir)).equals(oldKey)).toBe(true);
  });

  // Spawns tsx, which compiles the command on the fly: a few seconds.
  it(
    'runs as the bin/rotate-secret-key.ts command against DATABASE_URL',
    { timeout: 60_000 },
    async () => {
      await seed(new SecretBox(oldKey));

      const result = await execa('npx', ['tsx', 'bin/rotate-secret-key.ts'], {
        env: { DATA_DIR: dataDir, DATABASE_URL: database.url, LOG_LEVEL: 'info' },
        reject: false,
      });

      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout).toContain('master key rotated');
      const newKey = await loadMasterKey(dataDir);
      expect(newKey.equals(oldKey)).toBe(false);
      const sealed = await readSecrets();
      expect(new SecretBox(newKey).decrypt(sealed.privateKey, `ssh-key:${SSH_KEY}:private`)).toBe(
        'PRIVATE-KEY-TEXT',
      );
    },
  );
});
