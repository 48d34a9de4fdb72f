import { execa } from 'execa';
import { BorgError } from './errors';
import { baseEnvironment } from './environment';
import type { BorgEnvironment, BorgVersion } from './types';

const versionsByPath = new Map<string, Promise<BorgVersion>>();

/** Asks borg for its version; cached per executable because every command needs it. */
export function borgVersion(environment: BorgEnvironment): Promise<BorgVersion> {
  const borgPath = environment.borgPath ?? 'borg';
  const cached = versionsByPath.get(borgPath);
  if (cached) return cached;

  const pending = readBorgVersion(environment);
  versionsByPath.set(borgPath, pending);
  pending.catch(() => versionsByPath.delete(borgPath));
  return pending;
}

async function readBorgVersion(environment: BorgEnvironment): Promise<BorgVersion> {
  const result = await execa(environment.borgPath ?? 'borg', ['--version'], {
    env: baseEnvironment(environment),
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
  });

  const match = /(\d+)\.(\d+)\.(\d+)\S*/.exec(result.stdout);
  if (result.exitCode !== 0 || !match) {
    throw new BorgError({
      type: 'UNKNOWN',
      commandName: '--version',
      exitCode: result.exitCode,
      tail: `${result.stdout}\n${result.stderr}`,
    });
  }

  return parseVersion(match);
}

function parseVersion(match: RegExpExecArray): BorgVersion {
  const [version, major, minor, patch] = match;
  const numbers = { major: Number(major), minor: Number(minor), patch: Number(patch) };
  const hasModernExitCodes = numbers.major > 1 || (numbers.major === 1 && numbers.minor >= 4);
  return { version, ...numbers, hasModernExitCodes };
}
