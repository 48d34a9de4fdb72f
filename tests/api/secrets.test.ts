import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_PASSWORD,
  adminSession,
  bearer,
  createApiTestContext,
  createToken,
  type ApiTestContext,
  type BrowserSession,
} from '../helpers/api';
import { makePrivateKey } from './support/ssh-fixtures';

const PG_DUMP = '/usr/lib/postgresql/15/bin/pg_dump';
const REPOSITORY_ID = '01J0REP0S1T0RY000000000000';

let context: ApiTestContext;
let admin: BrowserSession;
const responses: string[] = [];
const secrets: Record<string, string> = {};

beforeAll(async () => {
  context = await createApiTestContext();
  admin = await adminSession(context.app);
  const { app, database } = context;

  secrets.passphrase = `repo-passphrase-${randomBytes(12).toString('hex')}`;
  await database.db
    .insertInto('repositories')
    .values({
      id: REPOSITORY_ID,
      name: 'secret-repo',
      location: '/data/repositories/secret',
      encryption: 'repokey-blake2',
      passphrase_secret: context.secrets.encrypt(
        secrets.passphrase,
        `repository:${REPOSITORY_ID}:passphrase`,
      ),
    })
    .execute();

  const key = await makePrivateKey('ed25519');
  // The base64 body of the key, without the armour lines every key shares.
  secrets.privateKey = key.privateKey.split('\n').slice(1, -2).join('');
  const imported = await app.inject({
    method: 'POST',
    url: '/api/ssh-keys',
    headers: admin.headers,
    payload: { name: 'known', privateKey: key.privateKey },
  });
  expect(imported.statusCode).toBe(201);
  responses.push(imported.body);

  secrets.urlToken = `XOXB${randomBytes(10).toString('hex')}`;
  secrets.urlPassword = `mailpw${randomBytes(6).toString('hex')}`;
  for (const url of [
    `slack://${secrets.urlToken}/B0/C0`,
    `mailto://me:${secrets.urlPassword}@mail.example.com`,
  ]) {
    const created = await app.inject({
      method: 'POST',
      url: '/api/notifications',
      headers: admin.headers,
      payload: { name: 'n', url, events: ['run.failed'] },
    });
    expect(created.statusCode).toBe(201);
    responses.push(created.body);
  }

  secrets.apiToken = await createToken(app, admin);
  secrets.adminPassword = ADMIN_PASSWORD;
});

afterAll(async () => {
  await context?.close();
});

function leaksIn(text: string): string[] {
  return Object.entries(secrets)
    .filter(
      ([name, value]) => name !== 'apiToken' && name !== 'adminPassword' && text.includes(value),
    )
    .map(([name]) => name);
}

describe('secrets at rest and in transit', () => {
  it('appear in no response of any readable route', async () => {
    const readable = context.app.routeAccessTable.filter(
      (route) => route.method === 'GET' && !route.url.includes('*'),
    );
    for (const route of readable) {
      const url = route.url.replace(/:[A-Za-z]+/g, '01ARZ3NDEKTSV4RRFFQ69G5FAV');
      responses.push(
        (await context.app.inject({ method: 'GET', url, headers: bearer(secrets.apiToken) })).body,
      );
    }
    const keyList = await context.app.inject({
      method: 'GET',
      url: '/api/ssh-keys',
      headers: admin.headers,
    });
    for (const { id } of keyList.json().sshKeys as Array<{ id: string }>) {
      responses.push(
        (
          await context.app.inject({
            method: 'GET',
            url: `/api/ssh-keys/${id}`,
            headers: admin.headers,
          })
        ).body,
      );
    }

    expect(responses.length).toBeGreaterThan(10);
    expect(leaksIn(responses.join('\n'))).toEqual([]);
  });

  it('appear in no log line, nor does the initial password', () => {
    const logs = context.logs.text();

    expect(logs.length).toBeGreaterThan(1000);
    expect(leaksIn(logs)).toEqual([]);
    expect(logs).not.toContain('admin123');
  });

  it('appear nowhere in a plain-text dump of the database', async () => {
    const { stdout } = await execa(PG_DUMP, ['--no-owner', '--data-only', context.database.url]);

    expect(stdout).toContain('secret-repo');
    expect(stdout).toContain('slack://****/****/****');
    expect(leaksIn(stdout)).toEqual([]);
  });
});
