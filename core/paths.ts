import { realpath } from 'node:fs/promises';
import path from 'node:path';

/** A path that resolves outside every allowed root; the API answers 400 PATH_NOT_ALLOWED. */
export class PathNotAllowedError extends Error {
  constructor(
    readonly label: string,
    readonly candidate: string,
    readonly roots: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`${label} ${candidate} is outside the allowed roots: ${roots.join(', ')}`, options);
    this.name = 'PathNotAllowedError';
  }
}

/**
 * Resolves `candidate` the way the kernel will (symbolic links first, then `..` on the real
 * parent) and returns the real path when it lies within one of `roots`, resolved the same way.
 * Parts that do not exist yet are kept as written, so a restore target may be created later.
 * `label` names the path in the error, e.g. `restore target`.
 */
export async function resolveWithinRoots(
  candidate: string,
  roots: readonly string[],
  label: string,
): Promise<string> {
  if (!path.isAbsolute(candidate) || candidate.includes('\0')) {
    throw new PathNotAllowedError(label, candidate, roots);
  }
  const [resolved, ...realRoots] = await Promise.all(
    [candidate, ...roots].map((entry) => resolveLikeKernel(entry)),
  ).catch((cause: unknown) => {
    // A loop of links or an unreadable directory: the path cannot be vouched for.
    throw new PathNotAllowedError(label, candidate, roots, { cause });
  });
  if (realRoots.some((root) => isWithin(resolved, root))) return resolved;

  throw new PathNotAllowedError(label, candidate, roots);
}

export function isWithin(child: string, root: string): boolean {
  const relative = path.relative(root, child);

  return (
    relative === '' ||
    (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative))
  );
}

// One component at a time: `real` never contains a link, so `..` may be taken lexically on it.
async function resolveLikeKernel(absolute: string): Promise<string> {
  let real = path.parse(absolute).root;
  for (const component of absolute.split(path.sep)) {
    if (component === '' || component === '.') continue;
    if (component === '..') {
      real = path.dirname(real);
      continue;
    }
    const next = path.join(real, component);
    try {
      real = await realpath(next);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      real = next;
    }
  }

  return real;
}
