import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../core/config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env, '/srv/borgflow');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({}, '/srv/borgflow');

    expect(config).toMatchObject({
      port: 8081,
      host: '127.0.0.1',
      dataDir: '/srv/borgflow/data',
      temporalNamespace: 'default',
      temporalUiUrl: 'http://127.0.0.1:8233',
      taskQueue: 'borgflow',
      logLevel: 'info',
      sourceRoots: ['/'],
      repositoryRoots: ['/srv/borgflow/data/repositories'],
      restoreRoots: ['/srv/borgflow/data/restores'],
      trustProxy: false,
    });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.temporalAddress).toBeUndefined();
  });

  it('splits root lists on colons and resolves them', () => {
    const config = loadConfig({ SOURCE_ROOTS: '/home:/srv/www/../data', TRUST_PROXY: 'yes' });

    expect(config.sourceRoots).toEqual(['/home', '/srv/data']);
    expect(config.trustProxy).toBe(true);
  });

  it('names each bad variable on a line of its own', () => {
    const problems = problemsOf({
      PORT: '80a',
      SOURCE_ROOTS: '/home:relative/dir',
      LOG_LEVEL: 'loud',
      TEMPORAL_ADDRESS: 'no-port',
    });

    expect(problems).toEqual([
      'PORT: expected a TCP port between 1 and 65535, got "80a"',
      'TEMPORAL_ADDRESS: expected host:port, got "no-port"',
      'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      'SOURCE_ROOTS: expected colon-separated absolute paths, got relative/dir',
    ]);
  });

  it('reads how long a failed run waits for an operator, zero included', () => {
    expect(loadConfig({}, '/srv/borgflow').operatorWaitHours).toBe(24);
    expect(loadConfig({ OPERATOR_WAIT_HOURS: '0' }, '/srv/borgflow').operatorWaitHours).toBe(0);
    expect(loadConfig({ OPERATOR_WAIT_HOURS: '72' }, '/srv/borgflow').operatorWaitHours).toBe(72);
    for (const value of ['-1', '1.5', 'forever', '745']) {
      expect(problemsOf({ OPERATOR_WAIT_HOURS: value })).toEqual([
        `OPERATOR_WAIT_HOURS: expected a whole number of hours from 0 to 744, got "${value}"`,
      ]);
    }
  });

  it('rejects a port out of range', () => {
    expect(problemsOf({ PORT: '70000' })).toEqual([
      'PORT: expected a TCP port between 1 and 65535, got "70000"',
    ]);
  });

  it('never echoes a database URL, which may hold a password', () => {
    const problems = problemsOf({ DATABASE_URL: 'mysql://user:hunter2-secret@db/x' });

    expect(problems).toEqual(['DATABASE_URL: expected a postgres:// or postgresql:// URL']);
    expect(problems.join()).not.toContain('hunter2-secret');
  });

  it('accepts a 32-byte secret key and refuses a short one', () => {
    expect(() => loadConfig({ SECRET_KEY: 'a'.repeat(64) })).not.toThrow();
    expect(problemsOf({ SECRET_KEY: 'short' })).toEqual([
      'SECRET_KEY: expected 32 bytes as base64 or 64 hex characters',
    ]);
  });
});
