import { resolveWithinRoots } from '../../core/paths';
import { ApiError } from '../errors';

/**
 * A repository location from a request body, checked before a worker ever sees it: local paths
 * must resolve under REPOSITORY_ROOTS, remote ones must be well-formed ssh URLs.
 */
export async function checkedLocation(
  location: string,
  sshKeyId: string | undefined,
  repositoryRoots: readonly string[],
): Promise<string> {
  if (location.startsWith('ssh://')) {
    const problem = sshLocationProblem(location);
    if (problem) {
      throw new ApiError('VALIDATION_FAILED', `location: ${problem}.`, {
        field: 'body.location',
      });
    }
    return location;
  }
  if (!location.startsWith('/')) {
    throw new ApiError(
      'VALIDATION_FAILED',
      'location: give an absolute path or an ssh://user@host:port/path URL.',
      { field: 'body.location' },
    );
  }
  if (sshKeyId) {
    throw new ApiError('VALIDATION_FAILED', 'sshKeyId: a local repository uses no SSH key.', {
      field: 'body.sshKeyId',
    });
  }
  return resolveWithinRoots(location, repositoryRoots, 'repository location');
}

/** Why an `ssh://` location is unusable, or undefined when it is fine. */
export function sshLocationProblem(location: string): string | undefined {
  if (!URL.canParse(location)) return 'not a valid ssh://user@host:port/path URL';
  const url = new URL(location);
  if (url.password) return 'put no password in the URL; use an SSH key';
  if (url.search || url.hash) return 'the URL may not contain "?" or "#"';
  if (!/^[A-Za-z0-9._-]*$/.test(decodeURIComponent(url.username)))
    return 'the user name is invalid';
  if (!/^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])$/.test(url.hostname))
    return 'the host name is invalid';
  const repositoryPath = decodeURIComponent(url.pathname);
  if (repositoryPath.length < 2) return 'the URL needs the repository path after the host';
  if (/[\s\p{Cc}]/u.test(repositoryPath) || repositoryPath.includes('::')) {
    return 'the repository path may not contain spaces, control characters or "::"';
  }
  return undefined;
}
