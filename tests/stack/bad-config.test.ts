import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports';
import { runCommand } from '../helpers/stack-process';

const start = (env: Record<string, string>) =>
  runCommand(process.execPath, ['--import', 'tsx', 'bin/borgflow.ts'], {
    DATA_DIR: '/tmp/borgflow-bad-config',
    ...env,
  });

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

describe('bin/borgflow.ts with bad configuration', () => {
  it('rejects an invalid PORT with one line and exit status 2', async () => {
    const result = await start({ PORT: 'eighty' });

    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toEqual([
      'borgflow start: PORT: expected a TCP port between 1 and 65535, got "eighty"',
    ]);
  });

  it('rejects a relative path in SOURCE_ROOTS', async () => {
    const result = await start({ SOURCE_ROOTS: '/home:backups' });

    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toEqual([
      'borgflow start: SOURCE_ROOTS: expected colon-separated absolute paths, got backups',
    ]);
  });

  it('reports an unreachable DATABASE_URL in one line without its password', async () => {
    const closedPort = await freePort();
    const result = await start({
      DATABASE_URL: `postgres://borgflow:pw-do-not-print@127.0.0.1:${closedPort}/borgflow`,
      LOG_LEVEL: 'silent',
    });

    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(/^borgflow start: cannot reach PostgreSQL: ECONNREFUSED/);
    expect(result.stderr + result.stdout).not.toContain('pw-do-not-print');
  });
});
