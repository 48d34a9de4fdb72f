import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

/**
 * Hands out fresh temporary directories for one test file and removes them all after its last
 * test. Call it at the top level of the file.
 */
export function useTempDirs(prefix = 'borgflow-test-'): (name?: string) => Promise<string> {
  const created: string[] = [];
  afterAll(async () => {
    await Promise.all(created.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  return async (name = '') => {
    const dir = await mkdtemp(path.join(tmpdir(), `${prefix}${name}${name ? '-' : ''}`));
    created.push(dir);
    return dir;
  };
}
