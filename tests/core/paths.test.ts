import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWithin, PathNotAllowedError, resolveWithinRoots } from '../../core/paths';

let base: string;
let root: string;
let outside: string;

beforeAll(async () => {
  base = await realpath(await mkdtemp(path.join(os.tmpdir(), 'borgflow-paths-')));
  root = path.join(base, 'root');
  outside = path.join(base, 'outside');
  await mkdir(path.join(root, 'data', 'nested'), { recursive: true });
  await mkdir(outside, { recursive: true });
  await writeFile(path.join(outside, 'secret.txt'), 'x');
  await symlink(outside, path.join(root, 'escape'));
  await symlink(path.join(root, 'data'), path.join(root, 'inside-link'));
  await symlink(path.join(outside, 'secret.txt'), path.join(root, 'data', 'file-link'));
  await symlink(path.join(root, 'loop-b'), path.join(root, 'loop-a'));
  await symlink(path.join(root, 'loop-a'), path.join(root, 'loop-b'));
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('resolveWithinRoots', () => {
  it('returns the real path of an existing path inside a root', async () => {
    await expect(
      resolveWithinRoots(path.join(root, 'data', 'nested'), [root], 'source'),
    ).resolves.toBe(path.join(root, 'data', 'nested'));
  });

  it('keeps a not-yet-existing tail under a real parent', async () => {
    await expect(
      resolveWithinRoots(path.join(root, 'inside-link', 'new', 'dir'), [root], 'restore target'),
    ).resolves.toBe(path.join(root, 'data', 'new', 'dir'));
  });

  it('accepts the root itself', async () => {
    await expect(resolveWithinRoots(root, [root], 'source')).resolves.toBe(root);
  });

  it.each([
    ['a directory symlink pointing out', () => path.join(root, 'escape')],
    ['a path through a symlink pointing out', () => path.join(root, 'escape', 'secret.txt')],
    ['a missing path under a symlink pointing out', () => path.join(root, 'escape', 'new-dir')],
    ['a file symlink pointing out', () => path.join(root, 'data', 'file-link')],
    ['.. segments climbing out', () => `${root}/data/../../outside`],
    ['.. after a symlink, resolved on the link target', () => `${root}/escape/../root-sibling`],
    ['a sibling whose name starts with the root', () => `${root}-evil`],
    ['a relative path', () => 'data/nested'],
    ['a loop of symlinks', () => path.join(root, 'loop-a')],
  ])('refuses %s, naming the allowed roots', async (_label, candidate) => {
    const attempt = resolveWithinRoots(candidate(), [root], 'restore target');

    await expect(attempt).rejects.toBeInstanceOf(PathNotAllowedError);
    await expect(attempt).rejects.toThrow(
      `restore target ${candidate()} is outside the allowed roots: ${root}`,
    );
  });

  it('accepts a path inside any of several roots, and roots that are symlinks themselves', async () => {
    const linkedRoot = path.join(base, 'linked-root');
    await symlink(outside, linkedRoot);

    await expect(
      resolveWithinRoots(path.join(outside, 'secret.txt'), [root, linkedRoot], 'source'),
    ).resolves.toBe(path.join(outside, 'secret.txt'));
  });
});

describe('isWithin', () => {
  it('treats a child named like "..x" as inside and the parent as outside', () => {
    expect(isWithin('/srv/root/..hidden', '/srv/root')).toBe(true);
    expect(isWithin('/srv', '/srv/root')).toBe(false);
  });
});
