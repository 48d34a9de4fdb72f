import { describe, expect, it } from 'vitest';
import { repositoryFolderProblem } from './repository-folder';

describe('repositoryFolderProblem', () => {
  it('accepts an absolute folder', () => {
    expect(repositoryFolderProblem('/srv/borg/repositories')).toBeNull();
    expect(repositoryFolderProblem('/')).toBeNull();
  });

  it('asks for an absolute path', () => {
    expect(repositoryFolderProblem('srv/borg')).toMatch(/absolute/);
    expect(repositoryFolderProblem('~/borg')).toMatch(/absolute/);
  });

  it('refuses what would break the quoted borg serve command', () => {
    expect(repositoryFolderProblem('/srv/my backups')).toMatch(/spaces/);
    expect(repositoryFolderProblem('/srv/"x"')).toMatch(/quotes/);
    expect(repositoryFolderProblem("/srv/it's")).toMatch(/quotes/);
    expect(repositoryFolderProblem('/srv\\x')).toMatch(/backslashes/);
  });

  it('refuses a path longer than the API takes', () => {
    expect(repositoryFolderProblem(`/${'a'.repeat(1024)}`)).toMatch(/too long/);
  });
});
