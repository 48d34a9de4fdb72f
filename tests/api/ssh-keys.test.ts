import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminSession,
  createApiTestContext,
  type ApiTestContext,
  type BrowserSession,
} from '../helpers/api';
import { makePrivateKey } from './support/ssh-fixtures';

let context: ApiTestContext;
let admin: BrowserSession;
let sharedTmpDir: string;
let ownTmpDir: string;

beforeAll(async () => {
  // Key generation works in a temporary directory of this file's own: other test files that
  // generate keys at the same time (key rotations, the browser tests) must not count here.
  sharedTmpDir = os.tmpdir();
  ownTmpDir = await mkdtemp(path.join(sharedTmpDir, 'ssh-keys-test-'));
  process.env.TMPDIR = ownTmpDir;
  context = await createApiTestContext();
  admin = await adminSession(context.app);
});

afterAll(async () => {
  await context?.close();
  process.env.TMPDIR = sharedTmpDir;
  await rm(ownTmpDir, { recursive: true, force: true });
});

function post(payload: object, query = '') {
  return context.app.inject({
    method: 'POST',
    url: `/api/ssh-keys${query}`,
    headers: admin.headers,
    payload,
  });
}

async function keygenDirectories(): Promise<string[]> {
  return (await readdir(os.tmpdir())).filter((name) => name.startsWith('borgflow-keygen-'));
}

describe('POST /api/ssh-keys', () => {
  it('generates an ed25519 key, stores the private half encrypted and returns only the public half', async () => {
    const before = await keygenDirectories();

    const response = await post({ name: 'offsite' });
    const generated = await post({ name: 'offsite', type: 'ed25519' });

    expect(response.statusCode).toBe(400);
    expect(generated.statusCode).toBe(201);
    const key = generated.json();
    expect(key).toMatchObject({ name: 'offsite', type: 'ed25519', status: 'active' });
    expect(key.publicKey).toMatch(/^ssh-ed25519 AAAA\S+ borgflow-/);
    expect(key.fingerprint).toMatch(/^SHA256:/);
    expect(key.authorizedKeysLine).toBe(
      `command="borg serve --restrict-to-path /path/to/repositories",restrict ${key.publicKey}`,
    );
    expect(generated.body).not.toContain('PRIVATE KEY');
    const row = await context.database.db
      .selectFrom('ssh_keys')
      .selectAll()
      .where('id', '=', key.id)
      .executeTakeFirstOrThrow();
    const privateKey = context.secrets.decrypt(row.private_key_secret, `ssh-key:${key.id}:private`);
    expect(privateKey).toContain('BEGIN OPENSSH PRIVATE KEY');
    expect(row.private_key_secret).not.toContain('PRIVATE KEY');
    expect(await keygenDirectories()).toEqual(before);
  });

  // RSA at 4096 bits takes ssh-keygen a second or more.
  it('generates a 4096-bit RSA key', { timeout: 60_000 }, async () => {
    const response = await post({ name: 'legacy', type: 'rsa' });

    expect(response.statusCode).toBe(201);
    expect(response.json().publicKey).toMatch(/^ssh-rsa /);
    const row = await context.database.db
      .selectFrom('ssh_keys')
      .selectAll()
      .where('id', '=', response.json().id)
      .executeTakeFirstOrThrow();
    expect(row.type).toBe('rsa');
  });

  it('imports a private key and derives its public key', async () => {
    const fixture = await makePrivateKey('ed25519');

    const response = await post(
      { name: 'imported', privateKey: fixture.privateKey },
      '?restrictToPath=/srv/borg/host-a',
    );

    expect(response.statusCode).toBe(201);
    const key = response.json<{ publicKey: string; authorizedKeysLine: string }>();
    expect(key.publicKey.split(' ').slice(0, 2)).toEqual(fixture.publicKey.split(' ').slice(0, 2));
    expect(key.authorizedKeysLine).toContain(
      'command="borg serve --restrict-to-path /srv/borg/host-a",restrict ssh-ed25519 ',
    );
  });

  it.each([
    ['garbage', async () => 'not a key at all'],
    [
      'passphrase-protected',
      async () => (await makePrivateKey('ed25519', 'secret passphrase')).privateKey,
    ],
    ['an unsupported type', async () => (await makePrivateKey('ecdsa')).privateKey],
    ['a public key', async () => (await makePrivateKey('ed25519')).publicKey],
  ])('refuses %s with 400 naming privateKey', async (_label, makeKey) => {
    const response = await post({ name: 'bad', privateKey: await makeKey() });

    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'body.privateKey',
    });
  });

  it('refuses both type and privateKey, unknown fields, and unsafe restrictToPath values', async () => {
    const both = await post({ name: 'x', type: 'rsa', privateKey: 'x' });
    const unknown = await post({ name: 'x', type: 'rsa', bits: 1024 });
    const quoted = await post(
      { name: 'x', type: 'ed25519' },
      `?restrictToPath=${encodeURIComponent('/srv" evil')}`,
    );
    const relative = await post({ name: 'x', type: 'ed25519' }, '?restrictToPath=srv/borg');

    expect(both.statusCode).toBe(400);
    expect(unknown.json().error.field).toBe('body.bits');
    expect(quoted.statusCode).toBe(400);
    expect(quoted.json().error.field).toBe('querystring.restrictToPath');
    expect(relative.statusCode).toBe(400);
  });
});

describe('GET /api/ssh-keys/:id', () => {
  it('returns the key with an authorized_keys line for the asked path, and 404 for an unknown id', async () => {
    const created = (await post({ name: 'lookup', type: 'ed25519' })).json();

    const found = await context.app.inject({
      method: 'GET',
      url: `/api/ssh-keys/${created.id}?restrictToPath=/backups/a`,
      headers: admin.headers,
    });
    const missing = await context.app.inject({
      method: 'GET',
      url: '/api/ssh-keys/01ARZ3NDEKTSV4RRFFQ69G5FAV',
      headers: admin.headers,
    });
    const list = await context.app.inject({
      method: 'GET',
      url: '/api/ssh-keys',
      headers: admin.headers,
    });

    expect(found.json().authorizedKeysLine).toContain('--restrict-to-path /backups/a"');
    expect(missing.statusCode).toBe(404);
    expect(list.json<{ sshKeys: Array<{ id: string }> }>().sshKeys.map((key) => key.id)).toContain(
      created.id,
    );
    expect(list.body).not.toContain('PRIVATE KEY');
  });
});

describe('DELETE /api/ssh-keys/:id', () => {
  it('answers 409 while a repository uses the key, and deletes it once none does', async () => {
    const key = (await post({ name: 'in-use', type: 'ed25519' })).json();
    await context.database.db
      .insertInto('repositories')
      .values({
        id: '01HZZZZZZZZZZZZZZZZZZZZZZZ',
        name: 'remote',
        location: 'ssh://borg@host/./repo',
        encryption: 'repokey-blake2',
        ssh_key_id: key.id,
      })
      .execute();

    const refused = await context.app.inject({
      method: 'DELETE',
      url: `/api/ssh-keys/${key.id}`,
      headers: admin.headers,
    });
    await context.database.db
      .deleteFrom('repositories')
      .where('id', '=', '01HZZZZZZZZZZZZZZZZZZZZZZZ')
      .execute();
    const deleted = await context.app.inject({
      method: 'DELETE',
      url: `/api/ssh-keys/${key.id}`,
      headers: admin.headers,
    });
    const again = await context.app.inject({
      method: 'DELETE',
      url: `/api/ssh-keys/${key.id}`,
      headers: admin.headers,
    });

    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toContain('remote');
    expect(deleted.statusCode).toBe(204);
    expect(again.statusCode).toBe(404);
  });
});
