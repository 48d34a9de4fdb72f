import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { initRepository } from '../../../activities/borg';
import type { BorgRepository, EncryptionMode } from '../../../activities/borg';

export const PASSPHRASE = 'correct-horse-battery-staple-4f1b9c';

type MakeDir = (name?: string) => Promise<string>;

export interface TestRepository extends BorgRepository {
  /** Directory for source files, extraction targets and logs of this test. */
  workDir: string;
}

/** A repository location and a fresh borg base dir, not initialised yet. */
export async function repositoryFixture(
  makeDir: MakeDir,
  { hasPassphrase = true } = {},
): Promise<TestRepository> {
  const [baseDir, repositoryParent, workDir] = await Promise.all([
    makeDir('base'),
    makeDir('repo'),
    makeDir('work'),
  ]);
  return {
    target: {
      location: path.join(repositoryParent, 'repository'),
      passphrase: hasPassphrase ? PASSPHRASE : undefined,
    },
    environment: { baseDir, hostId: `test-host@${randomUUID()}` },
    workDir,
  };
}

export async function initialisedRepository(
  makeDir: MakeDir,
  encryption: EncryptionMode = 'repokey-blake2',
): Promise<TestRepository> {
  const repository = await repositoryFixture(makeDir, { hasPassphrase: encryption !== 'none' });

  await initRepository(repository, { encryption });

  return repository;
}

/** Writes files given as relative path → content below `dir`. */
export async function writeTree(
  dir: string,
  files: Record<string, string | Buffer>,
): Promise<void> {
  for (const [relativePath, content] of Object.entries(files)) {
    const file = path.join(dir, relativePath);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}

export async function writeRandomFiles(dir: string, count: number, sizeBytes: number) {
  await mkdir(dir, { recursive: true });
  for (let index = 0; index < count; index++) {
    await writeFile(path.join(dir, `random-${index}.bin`), randomBytes(sizeBytes));
  }
}

/** Pid of the running borg process whose command line contains `marker`, e.g. a repository path. */
export async function findBorgPid(marker: string, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const pids = await borgPidsMatching(marker);
    if (pids.length > 0) return pids[0];
    await sleep(50);
  }
  throw new Error(`no borg process for ${marker} appeared within ${timeoutMs} ms`);
}

export async function borgPidsMatching(marker: string): Promise<number[]> {
  const entries = await readdir('/proc');
  const pids: number[] = [];
  for (const entry of entries.filter((name) => /^\d+$/.test(name))) {
    const argv = await readProcFile(Number(entry), 'cmdline');
    const args = argv.split('\0');
    // Skip the `setpriv` and `timeout` that supervise borg: their argv names borg too.
    const isSupervisor = /(^|\/)(setpriv|timeout)$/.test(args[0]);
    const isBorg = args.some((arg) => arg.endsWith('/borg') || arg === 'borg');
    if (isBorg && !isSupervisor && argv.includes(marker)) {
      pids.push(Number(entry));
    }
  }
  return pids;
}

export async function readProcFile(pid: number, name: 'cmdline' | 'environ'): Promise<string> {
  return readFile(`/proc/${pid}/${name}`, 'utf8').catch(() => '');
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `condition` holds or the time is up; returns whether it held. */
export async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await sleep(50);
  }
  return condition();
}
