/**
 * What the API puts into an authorized_keys line until the user names the folder: an obviously
 * fake path, so a line pasted unchanged fails loudly instead of opening the whole disk.
 */
export const PLACEHOLDER_REPOSITORY_FOLDER = '/path/to/repositories';

/**
 * Why the server would refuse `folder` as `restrictToPath`, in words for the field; null when it
 * is fine. Mirrors the API's rule (absolute, nothing that breaks the quoted `command="…"`), so
 * the user hears about a typo at once rather than after a round trip.
 */
export function repositoryFolderProblem(folder: string): string | null {
  if (!folder.startsWith('/')) return 'Start the folder with / (an absolute path on the server).';
  if (/\s/.test(folder)) return 'The folder cannot contain spaces.';
  if (/["'\\]/.test(folder)) return 'The folder cannot contain quotes or backslashes.';
  if (folder.length > 1024) return 'The folder path is too long (1024 characters at most).';
  return null;
}
