import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BorgError, createArchive, listArchives } from '../../../activities/borg';
import { useTempDirs } from '../../helpers/temp-dir';
import {
  findBorgPid,
  initialisedRepository,
  PASSPHRASE,
  readProcFile,
  waitFor,
  writeRandomFiles,
  type TestRepository,
} from './fixtures';

const makeDir = useTempDirs('borg-secrets-');

const WORKER_SECRET = 'postgres://borgflow:database-secret-5e1a@localhost/borgflow';

// Everything borg may see; anything else would have leaked from the worker's environment.
const ALLOWED_VARIABLES = new Set([
  'PATH',
  'HOME',
  'BORG_BASE_DIR',
  'LANG',
  'TZ',
  'BORG_HOST_ID',
  'BORG_HOSTNAME_IS_UNIQUE',
  'BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK',
  'BORG_RELOCATED_REPO_ACCESS_IS_OK',
  'BORG_CHECK_I_KNOW_WHAT_I_AM_DOING',
  'BORG_DELETE_I_KNOW_WHAT_I_AM_DOING',
  'BORG_DISPLAY_PASSPHRASE',
  'BORG_PASSPHRASE_FD',
]);

describe('secrets around a running borg', () => {
  let repository: TestRepository;
  let previousDatabaseUrl: string | undefined;

  beforeAll(async () => {
    previousDatabaseUrl = process.env.DATABASE_URL;
    process.env.DATABASE_URL = WORKER_SECRET;
    repository = await initialisedRepository(makeDir);
  });

  afterAll(() => {
    if (previousDatabaseUrl === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = previousDatabaseUrl;
  });

  it('keeps the passphrase and the worker environment out of argv, environ and the run log', async () => {
    const sourceDir = path.join(repository.workDir, 'random');
    await writeRandomFiles(sourceDir, 2, 2_000_000);
    const log = memoryLog();
    const controller = new AbortController();
    let hasStarted = false;

    const run = createArchive(
      repository,
      { archiveName: 'watched', sources: [sourceDir], compression: 'lzma,6' },
      { log, signal: controller.signal, onEvent: () => (hasStarted = true) },
    ).catch((reason: unknown) => reason);
    const borgPid = await findBorgPid(`${repository.target.location}::watched`);
    const [cmdline, environ] = await Promise.all([
      readProcFile(borgPid, 'cmdline'),
      readProcFile(borgPid, 'environ'),
    ]);
    await waitFor(() => hasStarted, 10_000);
    controller.abort();
    const error = await run;

    const variables = environ.split('\0').filter(Boolean);
    const names = variables.map((variable) => variable.split('=')[0]);
    expect(cmdline).toContain('create');
    expect(cmdline).not.toContain(PASSPHRASE);
    expect(environ).not.toContain(PASSPHRASE);
    expect(environ).not.toContain(WORKER_SECRET);
    expect(names.filter((name) => !ALLOWED_VARIABLES.has(name))).toEqual([]);
    expect(variables).toContain('BORG_PASSPHRASE_FD=3');
    expect(log.text).toMatch(/^\$ borg create --log-json /);
    expect(log.text).not.toContain(PASSPHRASE);
    expect(JSON.stringify(error)).not.toContain(PASSPHRASE);
  });

  it('keeps a wrong passphrase out of the error message, tail and Temporal failure', async () => {
    const wrongPassphrase = 'wrong-passphrase-c0ffee';
    const wrong = { ...repository, target: { ...repository.target, passphrase: wrongPassphrase } };
    const log = memoryLog();

    const error = await listArchives(wrong, {}, { log }).catch((reason: unknown) => reason);

    expect(error).toBeInstanceOf(BorgError);
    const borgError = error as BorgError;
    const failure = borgError.toApplicationFailure();
    const texts = [
      borgError.message,
      borgError.tail,
      JSON.stringify(borgError),
      failure.message,
      JSON.stringify(failure.details),
      log.text,
    ];
    expect(log.text).toContain('passphrase');
    for (const text of texts) {
      expect(text).not.toContain(wrongPassphrase);
      expect(text).not.toContain(PASSPHRASE);
    }
    expect(borgError.tail).toContain('incorrect');
  });
});

function memoryLog() {
  const log = {
    text: '',
    write: (text: string) => void (log.text += text),
    flush: () => Promise.resolve(),
  };
  return log;
}
